public import SluiceRedis
public import SluiceSecrets
import SluiceStore

/// How a worker process takes and runs jobs.
public struct WorkerSettings: Sendable {
    /// This worker's name in Redis (leases, heartbeats); unique per process.
    public var workerID: String
    /// Queues to take jobs from, in priority order.
    public var queues: [String]

    /// The queues this worker takes jobs from, in order: first its private queue (the steps of
    /// `same_worker` flows pinned to it), then ``queues``.
    public var fetchQueues: [String] { [KeySpace.privateQueue(of: workerID)] + queues }
    /// Jobs run at the same time in this process.
    public var concurrency: Int
    /// How long a taken job stays leased without a heartbeat.
    public var lease: Duration
    /// How often the heartbeat renews leases; well under `lease`.
    public var heartbeat: Duration
    /// The execution timeout of jobs that do not set their own.
    public var defaultJobTimeout: Duration
    /// How long one blocking wait for work lasts before the worker re-checks for shutdown.
    public var idleWait: Duration
    /// Where Redis is.
    public var redis: RedisConfiguration
    /// The resumer's public base URL, which resume links start with.
    public var publicURL: String
    /// The secrets private keys (`--secret-key`): secrets sealed to one of them open for the jobs
    /// allowed to read them; without one, a job reading a secret fails saying so.
    public var keyring: SecretKeyring
    /// How deep calls may nest (a script starting a script…, ``CallLimits``).
    public var maxCallDepth: Int = CallLimits.defaultDepth
    /// How many jobs one chain of calls may start in all.
    public var maxChainCalls: Int = CallLimits.defaultTotal
    /// How many slots may be lent at once to jobs that wait for jobs they started (``SlotLender``);
    /// default 4 × concurrency.
    public var maxLentSlots: Int?

    /// The lent-slot limit in effect.
    var lentSlotLimit: Int { maxLentSlots ?? 4 * concurrency }

    public init(
        workerID: String,
        queues: [String] = ["default"],
        concurrency: Int = 4,
        lease: Duration = .seconds(30),
        heartbeat: Duration? = nil,
        defaultJobTimeout: Duration = .seconds(600),
        idleWait: Duration = .seconds(1),
        redis: RedisConfiguration,
        publicURL: String = "http://127.0.0.1:8080",
        keyring: SecretKeyring = SecretKeyring([])
    ) {
        self.workerID = workerID
        self.queues = queues
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.heartbeat = heartbeat ?? lease / 3
        self.defaultJobTimeout = defaultJobTimeout
        self.idleWait = idleWait
        self.redis = redis
        self.publicURL = publicURL
        self.keyring = keyring
    }

    var leaseMilliseconds: Int { lease.wholeMilliseconds }
}

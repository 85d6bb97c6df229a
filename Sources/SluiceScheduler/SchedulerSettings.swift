public import SluiceRedis

/// How a scheduler process fires what is due.
public struct SchedulerSettings: Sendable {
    public var redis: RedisConfiguration
    /// The longest the delayed-job loop sleeps when nothing is due sooner.
    public var maximumIdle: Duration
    /// How often expired leases are looked for.
    public var reapInterval: Duration
    /// How long a silent worker stays listed as live.
    public var workerSilence: Duration
    /// The most time a Redis stall (no reaping ran for a while) gives back to every lease.
    public var stallLimit: Duration
    /// How long a flow run is left alone between two looks of the flow audit: one found with
    /// nothing alive twice this far apart is failed as stuck.
    public var flowQuiet: Duration

    public init(
        redis: RedisConfiguration,
        maximumIdle: Duration = .seconds(1),
        reapInterval: Duration = .milliseconds(500),
        workerSilence: Duration = .seconds(60),
        stallLimit: Duration = .seconds(60),
        flowQuiet: Duration = .seconds(60)
    ) {
        self.redis = redis
        self.maximumIdle = maximumIdle
        self.reapInterval = reapInterval
        self.workerSilence = workerSilence
        self.stallLimit = stallLimit
        self.flowQuiet = flowQuiet
    }

    /// A gap between two reapings longer than this is a stall: four reap intervals, at least 2 s.
    public var stallThreshold: Duration { max(.seconds(2), reapInterval * 4) }
}

import Foundation
public import Logging
public import ServiceLifecycle
import SluiceCore
import SluiceFlows
public import SluiceRedis
public import SluiceStore
import Synchronization

/// The worker process's main loop as a ``Service``: `concurrency` slots that each take a job,
/// run it and report it (reporting and taking the next job in one script call), plus a heartbeat
/// that renews the leases of running jobs.
///
/// Each slot has its own Redis connection on its own thread. On graceful shutdown the slots stop
/// taking jobs and finish the ones they have; if the shutdown deadline cancels the service, the
/// running scripts are killed and their jobs handed back to their queues.
public final class WorkerService: Service, CustomStringConvertible {
    public let settings: WorkerSettings
    let store: JobStore
    let scripts: ScriptStore
    let runner: ScriptRunner
    let logger: Logger
    let inFlight = InFlightJobs()
    let contents = ContentCache()
    let flowReporter: FlowReporter
    private let stopping = Atomic<Bool>(false)

    public var description: String { "WorkerService(\(settings.workerID), queues: \(settings.queues.joined(separator: ",")))" }

    public init(settings: WorkerSettings, store: JobStore, runner: ScriptRunner, logger: Logger) {
        self.settings = settings
        self.store = store
        self.scripts = ScriptStore(keys: store.keys)
        self.flowReporter = FlowReporter(flows: FlowStore(keys: store.keys, settings: store.settings), definitions: FlowDefinitionCache())
        self.runner = runner
        self.logger = logger
    }

    /// Whether the worker was asked to stop taking jobs.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Asks the worker to stop taking jobs (what SIGTERM does through the service group).
    public func stopTakingJobs() {
        stopping.store(true, ordering: .relaxed)
    }

    public func run() async throws {
        try await runner.prepare()
        if runner.settings.sandbox.mode == .none {
            logger.warning("scripts run WITHOUT a sandbox (--sandbox none): jobs can see each other's processes and files")
        }
        logger.info(
            "worker started",
            metadata: [
                "worker": "\(settings.workerID)", "queues": "\(settings.queues.joined(separator: ","))", "concurrency": "\(settings.concurrency)",
            ]
        )
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.runHeartbeat() }
                await withTaskGroup(of: Void.self) { slots in
                    for slot in 0..<settings.concurrency {
                        slots.addTask { await self.runSlot(slot) }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopTakingJobs()
        }
        logger.info("worker stopped", metadata: ["worker": "\(settings.workerID)"])
    }

    private func runSlot(_ slot: Int) async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.worker.slot\(slot)")
        var backoff = ReconnectBackoff()
        var next: JobRecord?
        // After a report that found the queues empty, go straight to the blocking wait.
        var queuesSeenEmpty = false
        while true {
            if isStopping || Task.isCancelled {
                if let held = next { await handBack(held, client: client) }
                return
            }
            do {
                if next == nil {
                    next = try await takeJob(client: client, tryFirst: !queuesSeenEmpty)
                    queuesSeenEmpty = false
                    backoff.reset()
                }
                guard let job = next else { continue }
                next = nil
                let outcome = await execute(job, client: client)
                next = await report(job, outcome: outcome, client: client)
                queuesSeenEmpty = next == nil
            } catch {
                logger.warning("worker cannot reach Redis, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    /// Takes a job: at once if one is queued (unless `tryFirst` is false because the last report
    /// just found the queues empty), else after blocking until a push wakes this slot.
    private func takeJob(client: RedisClient, tryFirst: Bool) async throws -> JobRecord? {
        let store = store
        let settings = settings
        return try await client.run { connection in
            let lease = settings.leaseMilliseconds
            if tryFirst, let job = try store.fetch(worker: settings.workerID, queues: settings.queues, leaseMilliseconds: lease, on: connection) {
                return job
            }
            guard let signaled = try store.waitForWork(queues: settings.queues, timeout: settings.idleWait, on: connection) else {
                return nil
            }
            return try store.fetch(
                worker: settings.workerID, queues: settings.queues, leaseMilliseconds: lease, signaledQueue: signaled, on: connection)
        }
    }

    /// What running a job produced, to report.
    struct Execution: Sendable {
        var outcome: JobOutcome
        var logs: String
        /// Set when the worker is stopping and the job should be handed back rather than reported.
        var handBack: Bool
    }

    private func execute(_ job: JobRecord, client: RedisClient) async -> Execution {
        let killer = ProcessKiller()
        let held = InFlightJobs.Run(id: job.id, delivery: job.deliveries)
        inFlight.add(held, killer: killer)
        defer { inFlight.remove(held) }
        logger.debug("job started", metadata: ["job.id": "\(job.id)", "kind": "\(job.kind.rawValue)"])
        return await withTaskCancellationHandler {
            await run(job, killer: killer, client: client)
        } onCancel: {
            killer.kill(.shuttingDown)
        }
    }

    private func run(_ job: JobRecord, killer: ProcessKiller, client: RedisClient) async -> Execution {
        switch job.kind {
        case .identity:
            return Execution(outcome: .success(job.arguments), logs: "", handBack: false)
        case .step where job.extra["module_type"] == "identity":
            return Execution(outcome: .success(job.arguments), logs: "", handBack: false)
        case .script, .step:
            let script: (language: ScriptLanguage, content: String, hash: String)
            do {
                switch try await resolveScript(job, client: client) {
                case .found(let language, let content, let hash): script = (language, content, hash)
                case .missing(let message): return Execution(outcome: .failure(message), logs: "", handBack: false)
                }
            } catch {
                return Execution(outcome: .failure("cannot read the script: \(error)"), logs: "", handBack: true)
            }
            let (language, content, contentHash) = script
            var environment = job.environment
            environment["SLUICE_JOB_ID"] = job.id.rawValue
            environment["SLUICE_WORKER"] = settings.workerID
            environment["SLUICE_QUEUE"] = job.queue
            environment["SLUICE_DELIVERY"] = String(job.deliveries)
            if let attempt = job.extra["attempt"] { environment["SLUICE_STEP_ATTEMPT"] = attempt }
            if let flowID = job.flowID { environment["SLUICE_FLOW_JOB_ID"] = flowID.rawValue }
            if let path = job.path { environment["SLUICE_SCRIPT_PATH"] = path }
            var supportFiles: [String: String] = [:]
            if job.extra["gate"] == "1" {
                do {
                    let links = try await resumeLinkEnvironment(gate: job.id, client: client)
                    for (name, value) in links { environment[name] = value }
                    supportFiles = [
                        "sluice.py": ResumeLinkHelpers.sluiceModule, "wmill.py": ResumeLinkHelpers.wmillModule,
                        "bin/sluice-resume-urls": ResumeLinkHelpers.command,
                    ]
                } catch {
                    return Execution(outcome: .failure("cannot read the step's gate: \(error)"), logs: "", handBack: true)
                }
            }
            let timeout = job.timeoutSeconds.map { Duration.seconds($0) } ?? settings.defaultJobTimeout
            let run = ScriptRun(
                language: language, content: content, arguments: job.arguments, environment: environment, timeout: timeout,
                supportFiles: supportFiles, contentHash: contentHash)
            let result = await runner.run(run, label: job.id.rawValue, killer: killer)
            let outcome: JobOutcome
            switch result.outcome {
            case .success(let value): outcome = .success(value)
            case .failure(let message): outcome = .failure(message)
            }
            return Execution(outcome: outcome, logs: result.logs, handBack: killer.reason == .shuttingDown)
        case .flowEvent:
            // Flow events run no process: reporting them moves the flow (see FlowReporter).
            return Execution(outcome: .success(job.arguments), logs: "", handBack: false)
        case .flow:
            return Execution(outcome: .failure("a flow job is never queued; its steps are"), logs: "", handBack: false)
        }
    }

    /// The variables a gated step's script needs to hand out its links: the public URL, the gate,
    /// the gate's minting key, and one anonymous link set ready to use (`SLUICE_RESUME_URLS`).
    private func resumeLinkEnvironment(gate: JobID, client: RedisClient) async throws -> [String: String] {
        let gates = GateStore(keys: store.keys)
        guard let record = try await client.run({ try gates.gate(gate, on: $0) }) else {
            throw FlowRuntimeError("gate \(gate) is missing")
        }
        let key = GateSecret.mintingKey(secret: record.secret)
        let anonymous = ResumeLinks(publicURL: settings.publicURL, gate: gate.rawValue, subject: .newAnonymous(), mintingKey: key)
        return [
            "SLUICE_PUBLIC_URL": settings.publicURL, "SLUICE_GATE_ID": gate.rawValue, "SLUICE_RESUME_MINT_KEY": Hex.encode(key),
            "SLUICE_RESUME_URLS": anonymous.json,
        ]
    }

    enum ResolvedScript {
        case found(ScriptLanguage, String, hash: String)
        case missing(String)
    }

    /// The script a job runs: by content hash, or — for a flow module of `type: script` — the
    /// current version of its path.
    private func resolveScript(_ job: JobRecord, client: RedisClient) async throws -> ResolvedScript {
        if let hash = job.scriptHash, let language = job.language {
            guard let content = try await scriptContent(hash: hash, client: client) else {
                return .missing("script content \(hash) is missing from Redis")
            }
            return .found(language, content, hash: hash)
        }
        guard let path = job.path else { return .missing("the job names no script") }
        let scripts = scripts
        guard let stored = try await client.run({ try scripts.script(at: path, on: $0) }) else {
            return .missing("no script at '\(path)'")
        }
        guard let content = try await scriptContent(hash: stored.hash, client: client) else {
            return .missing("script content \(stored.hash) is missing from Redis")
        }
        return .found(stored.language, content, hash: stored.hash)
    }

    func scriptContent(hash: String, client: RedisClient) async throws -> String? {
        if let cached = contents.content(for: hash) { return cached }
        let scripts = scripts
        guard let content = try await client.run({ try scripts.content(hash: hash, on: $0) }) else { return nil }
        contents.store(content, for: hash)
        return content
    }

    /// Reports a finished run and takes the next job in the same call; retries while Redis is away.
    private func report(_ job: JobRecord, outcome execution: Execution, client: RedisClient) async -> JobRecord? {
        if execution.handBack {
            await handBack(job, client: client)
            return nil
        }
        let store = store
        let settings = settings
        let next = isStopping ? nil : JobStore.NextJob(queues: settings.queues, leaseMilliseconds: settings.leaseMilliseconds)
        let flowReporter = flowReporter
        var backoff = ReconnectBackoff()
        while true {
            do {
                let (applied, following) = try await client.run { connection in
                    if job.kind == .step || job.kind == .flowEvent {
                        let result = try flowReporter.report(
                            job, worker: settings.workerID, outcome: execution.outcome, logs: execution.logs, next: next, on: connection)
                        return (result.heldJobApplied, result.next)
                    }
                    return try store.complete(
                        job, worker: settings.workerID, outcome: execution.outcome, logs: execution.logs, next: next, on: connection)
                }
                if !applied {
                    logger.info("stale report ignored (job canceled or handed back meanwhile)", metadata: ["job.id": "\(job.id)"])
                }
                return following
            } catch let error as RedisError where error.isConnectionError {
                logger.warning("cannot report job, retrying", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            } catch {
                logger.error("report refused", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                return nil
            }
        }
    }

    private func handBack(_ job: JobRecord, client: RedisClient) async {
        let store = store
        let worker = settings.workerID
        do {
            let handed = try await client.run { try store.requeue(job, worker: worker, on: $0) }
            logger.info("job handed back", metadata: ["job.id": "\(job.id)", "applied": "\(handed)"])
        } catch {
            logger.warning("could not hand back job; its lease will expire", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
        }
    }

    private func runHeartbeat() async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.worker.heartbeat")
        let info: JSONValue = [
            "host": .string(ProcessInfo.processInfo.hostName),
            "pid": .number(Double(ProcessInfo.processInfo.processIdentifier)),
            "queues": .array(settings.queues.map { .string($0) }),
            "concurrency": .number(Double(settings.concurrency)),
            "started_at": .number((Date().timeIntervalSince1970 * 1000).rounded()),
        ]
        while !Task.isCancelled {
            let held = inFlight.held.map { ($0.id, $0.delivery) }
            let store = store
            let settings = settings
            do {
                let lost = try await client.run { connection in
                    try store.renewLeases(
                        worker: settings.workerID, info: info, held: held, leaseMilliseconds: settings.leaseMilliseconds, on: connection)
                }
                for (id, delivery) in lost {
                    logger.info(
                        "job no longer held (canceled or handed back); stopping it", metadata: ["job.id": "\(id)", "delivery": "\(delivery)"])
                    inFlight.kill(InFlightJobs.Run(id: id, delivery: delivery), reason: .canceled)
                }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.heartbeat)
        }
    }
}

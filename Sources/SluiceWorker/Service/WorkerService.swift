import Foundation
public import Logging
public import ServiceLifecycle
import SluiceCore
public import SluiceExecution
import SluiceRedis
import SluiceRuntime
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
    let metrics = WorkerMetrics()
    let contents = ContentCache()
    let engine: FlowEngine
    /// Extra slots for jobs that wait for jobs they started.
    let lender: SlotLender
    /// Reports the slots' finished scripts and identity jobs in shared round trips.
    let completions: CompletionBatcher
    private let stopping = Atomic<Bool>(false)

    public var description: String { "WorkerService(\(settings.workerID), queues: \(settings.queues.joined(separator: ",")))" }

    public init(settings: WorkerSettings, store: JobStore, runner: ScriptRunner, logger: Logger) {
        self.settings = settings
        self.store = store
        self.scripts = ScriptStore(keys: store.keys)
        self.engine = FlowEngine(
            flows: FlowStore(keys: store.keys, settings: store.settings), keyring: settings.keyring, expressionEngine: runner.expressionEngine)
        self.runner = runner
        self.logger = logger
        lender = SlotLender(limit: settings.lentSlotLimit)
        completions = CompletionBatcher(
            configuration: settings.redis, store: store, worker: settings.workerID,
            next: JobStore.NextJob(queues: settings.fetchQueues, leaseMilliseconds: settings.leaseMilliseconds))
    }

    /// Whether the worker was asked to stop taking jobs.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Asks the worker to stop taking jobs (what SIGTERM does through the service group).
    public func stopTakingJobs() {
        stopping.store(true, ordering: .relaxed)
        lender.close()
    }

    public func run() async throws {
        try await runner.prepare()
        if let notice = runner.denoChannelNotice { logger.warning("\(notice)") }
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
                    // A slot lent by a job that waits for one it started runs until the wait ends.
                    var extra = settings.concurrency
                    for await loan in lender.loans {
                        let slot = extra
                        extra += 1
                        slots.addTask { await self.runSlot(slot, loan: loan) }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopTakingJobs()
        }
        runner.shutDown()
        await leave()
        logger.info("worker stopped", metadata: ["worker": "\(settings.workerID)"])
    }

    /// One slot: takes a job, runs it, reports it and takes the next, until the worker stops — or,
    /// for a slot lent by a waiting job (`loan`), until that wait ends and its current job is done.
    private func runSlot(_ slot: Int, loan: SlotLender.Loan? = nil) async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.worker.slot\(slot)")
        var backoff = ReconnectBackoff()
        var next: TakenJob?
        // After a report that found the queues empty, go straight to the blocking wait.
        var queuesSeenEmpty = false
        while true {
            if isStopping || Task.isCancelled {
                if let held = next { await handBack(held.job, client: client) }
                return
            }
            if let loan, !loan.isActive, next == nil { return }
            do {
                if next == nil {
                    next = try await takeJob(client: client, tryFirst: !queuesSeenEmpty)
                    queuesSeenEmpty = false
                    backoff.reset()
                }
                guard let taken = next else { continue }
                let job = taken.job
                next = nil
                let began = ContinuousClock.now
                metrics.started(job)
                // Held (its lease renewed by the heartbeat) until its report is applied: a report
                // that waits for a Redis that went away must not let the lease run out and the
                // job run again.
                let killer = ProcessKiller()
                let held = InFlightJobs.Run(id: job.id, delivery: job.deliveries)
                inFlight.add(held, killer: killer)
                let takeNext = loan?.isActive ?? true
                if engine.runsNothing(job),
                    let instant = await instantStep(job, prefetched: taken.prefetched, client: client, next: nextJob(takeNext: takeNext))
                {
                    if instant.applied { metrics.finished(job, outcome: .success(.null), ran: ContinuousClock.now - began) }
                    next = instant.next
                } else {
                    let outcome = await execute(job, prefetched: taken.prefetched, killer: killer, client: client)
                    next = await report(job, outcome: outcome, client: client, began: began, takeNext: takeNext)
                }
                inFlight.remove(held)
                queuesSeenEmpty = next == nil
            } catch {
                metrics.redisError()
                logger.warning("worker cannot reach Redis, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    /// Takes a job: at once if one is queued (unless `tryFirst` is false because the last report
    /// just found the queues empty), else after blocking until a push wakes this slot. A flow's
    /// first step comes with its scope, read in the same call.
    private func takeJob(client: RedisClient, tryFirst: Bool) async throws -> TakenJob? {
        let store = store
        let settings = settings
        return try await client.run { connection in
            let lease = settings.leaseMilliseconds
            if tryFirst, let taken = try store.take(worker: settings.workerID, queues: settings.fetchQueues, leaseMilliseconds: lease, on: connection)
            {
                return TakenJob(job: taken.job, prefetched: taken.scope)
            }
            guard let signaled = try store.waitForWork(queues: settings.fetchQueues, timeout: settings.idleWait, on: connection) else {
                return nil
            }
            return try store.take(
                worker: settings.workerID, queues: settings.fetchQueues, leaseMilliseconds: lease, signaledQueue: signaled, on: connection
            ).map { TakenJob(job: $0.job, prefetched: $0.scope) }
        }
    }

    /// Runs a job (a script, a flow step, or nothing for a flow event); `killer` ends its process.
    /// `prefetched`: the step's scope, read ahead when it was taken.
    func execute(_ job: JobRecord, prefetched: FlowSnapshot?, killer: ProcessKiller, client: RedisClient) async -> Execution {
        logger.debug("job started", metadata: ["job.id": "\(job.id)", "kind": "\(job.kind.rawValue)"])
        return await withTaskCancellationHandler {
            await run(job, prefetched: prefetched, killer: killer, client: client)
        } onCancel: {
            killer.kill(.shuttingDown)
        }
    }

    private func run(_ job: JobRecord, prefetched: FlowSnapshot?, killer: ProcessKiller, client: RedisClient) async -> Execution {
        switch job.kind {
        case .identity:
            return .plain(.success(job.arguments), logs: "")
        case .script:
            return await runScript(job, arguments: job.arguments, timeout: nil, gate: nil, killer: killer, client: client)
        case .step:
            return await runStep(job, prefetched: prefetched, killer: killer, client: client)
        case .flowEvent:
            // Flow events run no process: reporting them moves the flow (FlowEngine.handle).
            return .event
        case .flow:
            return .plain(.failure("a flow job is never queued; its steps are"), logs: "")
        }
    }

    /// Reports a finished run and takes the next job in the same call; retries while Redis is away.
    private func report(_ job: JobRecord, outcome execution: Execution, client: RedisClient, began: ContinuousClock.Instant, takeNext: Bool)
        async -> TakenJob?
    {
        if case .handBack = execution {
            await handBack(job, client: client)
            return nil
        }
        let store = store
        let settings = settings
        let next = nextJob(takeNext: takeNext)
        let engine = engine
        var backoff = ReconnectBackoff()
        while true {
            do {
                let (applied, following): (Bool, TakenJob?)
                if case .plain(let outcome, let logs) = execution {
                    // Scripts and identity jobs: with the other slots' reports, in one call.
                    let answer = try await completions.complete(CompletionReport(job: job, outcome: outcome, logs: logs), takingNext: next != nil)
                    if let refusal = answer.refusal {
                        logger.error("report refused", metadata: ["job.id": "\(job.id)", "error": "\(refusal)"])
                        return answer.next.map { TakenJob(job: $0) }
                    }
                    (applied, following) = (answer.applied, answer.next.map { TakenJob(job: $0) })
                } else {
                    (applied, following) = try await client.run { connection in
                        switch execution {
                        case .step(let beginning, let report):
                            let result = try engine.finish(beginning, report: report, worker: settings.workerID, next: next, on: connection)
                            return (result.heldJobApplied, result.next.map { TakenJob(job: $0, prefetched: result.prefetched) })
                        case .event:
                            // --ack: the step after a gate starts only on a decision a failover cannot undo.
                            if FlowEngine.carriesGateDecision(job) { try connection.awaitReplicas(in: store.keys, followingWrite: false) }
                            let result = try engine.handle(event: job, worker: settings.workerID, next: next, on: connection)
                            return (result.heldJobApplied, result.next.map { TakenJob(job: $0, prefetched: result.prefetched) })
                        case .plain, .handBack:
                            return (false, nil)  // reported above, or never (handed back before)
                        }
                    }
                }
                if applied {
                    let ran = ContinuousClock.now - began
                    switch execution {
                    case .plain(let outcome, _): metrics.finished(job, outcome: outcome, ran: ran)
                    case .step(_, let report): metrics.finished(job, outcome: report.outcome, ran: ran)
                    case .event:
                        metrics.finished(job, outcome: nil, ran: ran)
                        metrics.gateDecided(job, ran: ran)
                    case .handBack: break
                    }
                } else {
                    logger.info("stale report ignored (job canceled or handed back meanwhile)", metadata: ["job.id": "\(job.id)"])
                }
                return following
            } catch let error as RedisError where error.isConnectionError || error.isNotReplicated || error.isTemporaryRefusal {
                metrics.redisError()
                // The shutdown deadline passed (the service was canceled): no more attempts — a
                // canceled task's sleep ends at once, so retrying would spin. The job keeps its
                // lease until it runs out; then it is handed back and runs again (at least once).
                if Task.isCancelled {
                    logger.error(
                        "cannot report job before stopping: Redis unreachable; it will run again once its lease runs out",
                        metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                    return nil
                }
                logger.warning("cannot report job, retrying", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            } catch {
                logger.error("report refused", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// What a report asks to take next in the same call: nothing while stopping or for a lent
    /// slot whose loan ended.
    private func nextJob(takeNext: Bool) -> JobStore.NextJob? {
        isStopping || !takeNext ? nil : JobStore.NextJob(queues: settings.fetchQueues, leaseMilliseconds: settings.leaseMilliseconds)
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
        var beats = 0
        while !Task.isCancelled {
            let held = inFlight.held.map { ($0.id, $0.delivery) }
            let store = store
            let settings = settings
            beats += 1
            if beats % 10 == 0 { await removeEndedSharedFolders(client: client) }
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

    /// Removes the `./shared` folders of `same_worker` flow runs that ended (or expired).
    private func removeEndedSharedFolders(client: RedisClient) async {
        let runs = runner.sharedFlowRuns
        guard !runs.isEmpty else { return }
        let store = store
        let ended =
            (try? await client.run { connection in
                try runs.filter { run in try store.job(run, on: connection).map { $0.state.isFinal } ?? true }
            }) ?? []
        for run in ended { runner.removeSharedFolder(of: run) }
    }

    /// Tells Redis this worker is gone: the steps pinned to it (`same_worker` flows) go back to
    /// their queues at once, not after the worker-silence period.
    private func leave() async {
        let store = store
        let worker = settings.workerID
        do {
            let handed = try await RedisClient(configuration: settings.redis, label: "sluice.worker.leave").run {
                try store.releaseWorker(worker, on: $0)
            }
            if handed > 0 { logger.info("pinned steps handed back", metadata: ["count": "\(handed)"]) }
        } catch {
            logger.warning("could not deregister; the scheduler will after the worker-silence period", metadata: ["error": "\(error)"])
        }
    }
}

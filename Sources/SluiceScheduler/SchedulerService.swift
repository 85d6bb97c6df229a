public import Logging
public import ServiceLifecycle
import SluiceRedis
import SluiceRuntime
public import SluiceStore

/// The scheduler process as a ``Service``: it moves due delayed jobs to their queues, times out
/// approval gates, fires schedules' ticks (and settles their runs), hands back the jobs of
/// workers whose leases expired, and fails flow runs found stuck (the flow audit). Each loop has its own connection; any number of schedulers may
/// run at once, because every firing is one atomic script on Redis's clock.
public final class SchedulerService: Service, CustomStringConvertible {
    public let settings: SchedulerSettings
    let store: JobStore
    let logger: Logger
    let metrics = SchedulerMetrics()

    public var description: String { "SchedulerService" }

    public init(settings: SchedulerSettings, store: JobStore, logger: Logger) {
        self.settings = settings
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        logger.info("scheduler started")
        await withTaskGroup(of: Void.self) { group in
            let wakeDelayed = WakeSignal()
            let wakeGates = WakeSignal()
            let wakeSchedules = WakeSignal()
            group.addTask { await self.listenForWakeUps([wakeDelayed, wakeGates, wakeSchedules]) }
            group.addTask { await self.promoteDelayedJobs(wakeDelayed) }
            group.addTask { await self.fireGateDeadlines(wakeGates) }
            group.addTask { await self.fireSchedules(wakeSchedules) }
            group.addTask { await self.reapExpiredLeases() }
            group.addTask { await self.auditFlows() }
            await group.waitForAll()
        }
        logger.info("scheduler stopped")
    }

    /// Moves due jobs, then sleeps until the next one is due or a newly scheduled job wakes it,
    /// never longer than `maximumIdle`. The sleep is the process's own timer, precise to about a
    /// millisecond (a Redis blocking timeout would only be as precise as Redis's 100 ms cron).
    private func promoteDelayedJobs(_ wake: WakeSignal) async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.delayed")
        let store = store
        var backoff = ReconnectBackoff()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let (total, nextDue) = try await client.run { connection in
                    var (moved, nextDue) = try store.promoteDueJobs(on: connection)
                    var total = moved
                    while moved >= 1000 {
                        (moved, nextDue) = try store.promoteDueJobs(on: connection)
                        total += moved
                    }
                    return (total, nextDue)
                }
                metrics.promoted(total)
                backoff.reset()
                await wake.wait(upTo: min(nextDue ?? settings.maximumIdle, settings.maximumIdle))
            } catch {
                metrics.redisError()
                logger.warning("scheduler cannot reach Redis, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    /// Times out approval gates whose deadline passed, then sleeps until the next deadline (or
    /// until a gate opens), never longer than `maximumIdle`.
    private func fireGateDeadlines(_ wake: WakeSignal) async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.gates")
        let gates = GateStore(keys: store.keys)
        var backoff = ReconnectBackoff()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let (fired, lateness, nextDue) = try await client.run { connection in
                    var total = 0
                    var late: [Int64] = []
                    while true {
                        let batch = try gates.fireDeadlines(on: connection)
                        total += batch.fired
                        late += batch.lateness
                        if batch.fired < 200 { return (total, late, batch.nextDue) }
                    }
                }
                if fired > 0 {
                    metrics.gatesTimedOut(lateness: lateness)
                    logger.info("gate deadlines fired", metadata: ["gates": "\(fired)", "max_lateness_ms": "\(lateness.max() ?? 0)"])
                }
                backoff.reset()
                await wake.wait(upTo: min(nextDue ?? settings.maximumIdle, settings.maximumIdle))
            } catch {
                metrics.redisError()
                logger.warning("gate deadline loop cannot reach Redis, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    /// Fires due schedules and settles their finished runs, then sleeps until the next schedule is
    /// due or until a wake-up (a schedule set or resumed, a scheduled run finished), never longer
    /// than `maximumIdle`.
    private func fireSchedules(_ wake: WakeSignal) async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.schedules")
        let firing = ScheduleFiring(
            store: ScheduleStore(keys: store.keys, settings: store.settings),
            engine: FlowEngine(flows: FlowStore(keys: store.keys, settings: store.settings)), logger: logger)
        var backoff = ReconnectBackoff()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let report = try await client.run { try firing.look(on: $0) }
                metrics.ticks(fired: report.fired, catchUps: report.catchUps, skipped: report.skipped)
                if report.fired + report.skipped > 0 {
                    logger.info(
                        "schedules fired",
                        metadata: [
                            "fired": "\(report.fired)", "catch_ups": "\(report.catchUps)", "skipped": "\(report.skipped)",
                            "max_lateness_ms": "\(report.lateness.max() ?? 0)",
                        ])
                }
                backoff.reset()
                let untilDue = report.msUntilNextDue.map { Duration.milliseconds($0) } ?? settings.maximumIdle
                await wake.wait(upTo: min(untilDue, settings.maximumIdle))
            } catch {
                metrics.redisError()
                logger.warning("schedule loop cannot reach Redis, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    /// Waits on the wake list that scheduling a job (or opening a gate) pushes to, and wakes the loops.
    private func listenForWakeUps(_ wakes: [WakeSignal]) async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.wake")
        let key = store.keys.schedulerWake
        var backoff = ReconnectBackoff()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let woken = try await client.run { connection in
                    !(try connection.send(["BLPOP", .string(key), "1"]).isNull)
                }
                backoff.reset()
                if woken { for wake in wakes { wake.signal() } }
            } catch {
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    private func reapExpiredLeases() async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.leases")
        let store = store
        let silence = settings.workerSilence
        let (threshold, limit) = (settings.stallThreshold, settings.stallLimit)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let (handedBack, failed, givenBack) = try await client.run {
                    try store.reclaimExpiredLeases(workerSilence: silence, stallThreshold: threshold, stallLimit: limit, on: $0)
                }
                metrics.leases(handedBack: handedBack, failed: failed)
                if givenBack > .zero {
                    logger.warning(
                        "no lease reaping ran for a while (Redis stalled, or every scheduler was away): leases given that time back",
                        metadata: ["given_back_ms": "\(givenBack.wholeMilliseconds)"])
                }
                if handedBack > 0 || failed > 0 {
                    logger.info("expired leases handled", metadata: ["handed_back": "\(handedBack)", "failed": "\(failed)"])
                }
            } catch {
                metrics.redisError()
                logger.warning("lease reaper cannot reach Redis", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.reapInterval)
        }
    }

    /// The flow audit: every few seconds, looks at the flow runs not looked at for the quiet period
    /// and fails any that nothing can move any more, with an error saying why.
    private func auditFlows() async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.flows")
        let store = store
        let quiet = settings.flowQuiet
        let pause = max(.milliseconds(100), min(.seconds(5), quiet / 4))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                var failed = try await client.run { try store.auditFlows(quiet: quiet, on: $0) }.failed
                while let flow = failed {
                    metrics.stuckFlowFailed()
                    logger.error("a stuck flow was failed: nothing could move it any more", metadata: ["flow.id": "\(flow)"])
                    failed = try await client.run { try store.auditFlows(quiet: quiet, on: $0) }.failed
                }
            } catch {
                metrics.redisError()
                logger.warning("flow audit cannot reach Redis", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: pause)
        }
    }
}

public import Logging
public import ServiceLifecycle
public import SluiceRedis
public import SluiceStore

/// The scheduler process as a ``Service``: it moves due delayed jobs to their queues and hands back
/// the jobs of workers whose leases expired. Each loop has its own connection; any number of
/// schedulers may run at once, because every firing is one atomic script on Redis's clock.
public final class SchedulerService: Service, CustomStringConvertible {
    public let settings: SchedulerSettings
    let store: JobStore
    let logger: Logger

    public var description: String { "SchedulerService" }

    public init(settings: SchedulerSettings, store: JobStore, logger: Logger) {
        self.settings = settings
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        logger.info("scheduler started")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.promoteDelayedJobs() }
            group.addTask { await self.reapExpiredLeases() }
            await group.waitForAll()
        }
        logger.info("scheduler stopped")
    }

    /// Moves due jobs, then sleeps until the next one is due (or a new delayed job wakes it),
    /// never longer than `maximumIdle`.
    private func promoteDelayedJobs() async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.delayed")
        let store = store
        let settings = settings
        var backoff = ReconnectBackoff()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await client.run { connection in
                    var (moved, nextDue) = try store.promoteDueJobs(on: connection)
                    while moved >= 1000 {
                        (moved, nextDue) = try store.promoteDueJobs(on: connection)
                    }
                    let wait = min(nextDue ?? settings.maximumIdle, settings.maximumIdle)
                    if wait > .zero {
                        // A newly scheduled job pushes a token here, so an earlier due time is not missed.
                        try connection.send(["BLPOP", .string(store.keys.schedulerWake), wait.redisTimeoutArgument])
                    }
                }
                backoff.reset()
            } catch {
                logger.warning("scheduler cannot reach Redis, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    private func reapExpiredLeases() async {
        let client = RedisClient(configuration: settings.redis, label: "sluice.scheduler.leases")
        let store = store
        let silence = settings.workerSilence
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let (handedBack, failed) = try await client.run { try store.reclaimExpiredLeases(workerSilence: silence, on: $0) }
                if handedBack > 0 || failed > 0 {
                    logger.info("expired leases handled", metadata: ["handed_back": "\(handedBack)", "failed": "\(failed)"])
                }
            } catch {
                logger.warning("lease reaper cannot reach Redis", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.reapInterval)
        }
    }
}

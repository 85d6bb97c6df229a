public import Logging
import SluiceCore
import SluiceCron
public import SluiceRedis
public import SluiceRuntime
public import SluiceStore
import Synchronization

/// A scheduler's work on schedules, one look at a time: settle the runs that finished (record
/// their outcome, start on-failure handlers), then fire every due schedule. Each schedule is
/// decided in Swift (``TickPlanner``, pure) from the schedule as read and Redis's clock, and
/// applied with one `fire_schedule_tick` call that claims the (schedule, tick) pair, so any
/// number of schedulers can look at once without firing a tick twice. Batches are pipelined.
public final class ScheduleFiring: Sendable {
    let store: ScheduleStore
    let builder: RunStartBuilder
    let logger: Logger
    /// How many schedules one batch reads, decides and fires.
    let batchSize: Int
    /// Parsed cron schedules by expression and zone; cleared when it grows past its limit.
    private let crons = Mutex<[String: Result<CronSchedule, CronScheduleError>]>([:])

    public init(store: ScheduleStore, engine: FlowEngine, logger: Logger, batchSize: Int = 500) {
        self.store = store
        self.builder = RunStartBuilder(engine: engine)
        self.logger = logger
        self.batchSize = max(1, batchSize)
    }

    /// What one look did.
    public struct Report: Sendable {
        public var fired = 0
        public var skipped = 0
        public var catchUps = 0
        /// Lateness (ms) of each tick fired or skipped.
        public var lateness: [Int64] = []
        public var settled = 0
        public var onFailureRuns = 0
        /// How long until the next schedule is due (ms), or `nil` when none is waiting.
        public var msUntilNextDue: Int64?
    }

    /// Settles finished runs, then fires every schedule due now. Blocks on `connection`.
    public func look(on connection: RedisConnection) throws(RedisError) -> Report {
        var report = Report()
        try settleFinishedRuns(into: &report, on: connection)
        try fireDueSchedules(into: &report, on: connection)
        return report
    }

    // MARK: - Firing

    private func fireDueSchedules(into report: inout Report, on connection: RedisConnection) throws(RedisError) {
        // Bounded: every batch moves each due schedule on (or another scheduler did).
        for _ in 0..<10_000 {
            let batch = try store.due(limit: batchSize, anyWindow: true, on: connection)
            guard !batch.due.isEmpty else {
                report.msUntilNextDue = batch.nextDue.map { max(0, $0 - batch.now) }
                return
            }
            let records = try store.schedules(batch.due, on: connection)
            var decided: [(name: String, record: ScheduleRecord?, plan: TickPlanner.Plan?)] = []
            var paths = Set<String>()
            for (name, record) in zip(batch.due, records) {
                guard let record else {
                    decided.append((name, nil, nil))
                    continue
                }
                switch cronSchedule(record.definition) {
                case .success(let schedule):
                    let plan = TickPlanner.plan(schedule, lastTick: record.lastTick, updatedAt: record.updatedAt, now: batch.now)
                    if plan.tick != nil { paths.insert(record.definition.path) }
                    decided.append((name, record, plan))
                case .failure(let error):
                    logger.error("schedule cannot be decided; taken out of the due set", metadata: ["schedule": "\(name)", "error": "\(error)"])
                    decided.append((name, record, nil))
                }
            }
            let targets = try store.targets(paths, on: connection)
            var firings: [TickFiring] = []
            for (name, record, plan) in decided {
                guard let record else {
                    // Deleted after it was read: the script finds no hash and drops the due entry.
                    firings.append(TickFiring(name: name, version: -1, tick: nil, nextDue: nil))
                    continue
                }
                guard let plan else {
                    firings.append(TickFiring(name: name, version: record.version, tick: nil, nextDue: nil))
                    continue
                }
                var firing = TickFiring(name: name, version: record.version, tick: plan.tick?.tickID, missed: plan.missed, nextDue: plan.nextDue)
                if let tick = plan.tick {
                    let definition = record.definition
                    let target = targets[definition.path] ?? .missing
                    firing.start = try builder.start(
                        path: definition.path, target: target, arguments: definition.arguments, queue: definition.queue,
                        createdBy: definition.createdBy, fields: record.runFields(tick: tick.tickID, retries: !isFlow(target)), on: connection)
                }
                firings.append(firing)
            }
            var progressed = false
            for (firing, result) in zip(firings, try store.fire(firings, on: connection)) {
                switch result {
                case .success(let outcome):
                    record(outcome, of: firing, into: &report)
                    progressed = progressed || outcome.kind != .stale
                case .failure(let error):
                    logger.error("firing a schedule failed", metadata: ["schedule": "\(firing.name)", "error": "\(error)"])
                }
            }
            // Nothing moved (every call failed, or another scheduler is changing these schedules
            // right now): look again shortly instead of spinning.
            guard progressed else {
                report.msUntilNextDue = Self.retryAfterNoProgress
                return
            }
        }
    }

    /// How soon to look again when a batch of due schedules moved nothing (ms).
    static let retryAfterNoProgress: Int64 = 50

    private func record(_ outcome: TickOutcome, of firing: TickFiring, into report: inout Report) {
        switch outcome.kind {
        case .fired:
            report.fired += 1
            report.lateness.append(outcome.lateness)
            if firing.missed > 0 {
                report.catchUps += 1
                logger.debug(
                    "schedule caught up: fired its latest missed tick only",
                    metadata: ["schedule": "\(firing.name)", "tick": "\(firing.tick ?? 0)", "missed": "\(firing.missed)"])
            }
        case .skipped:
            report.skipped += 1
            report.lateness.append(outcome.lateness)
            logger.debug("schedule tick skipped: its previous run is still going", metadata: ["schedule": "\(firing.name)"])
        case .moved, .stale, .gone:
            break
        }
    }

    private func isFlow(_ target: RunTarget) -> Bool {
        if case .flow = target { return true }
        return false
    }

    private func cronSchedule(_ definition: ScheduleDefinition) -> Result<CronSchedule, CronScheduleError> {
        let key = definition.cron + "\u{0}" + definition.timeZone
        if let cached = crons.withLock({ $0[key] }) { return cached }
        let parsed = Result { () throws(CronScheduleError) -> CronSchedule in try CronSchedule(cron: definition.cron, timeZone: definition.timeZone) }
        crons.withLock { crons in
            if crons.count >= 10_000 { crons.removeAll() }
            crons[key] = parsed
        }
        return parsed
    }

    // MARK: - Settling

    private func settleFinishedRuns(into report: inout Report, on connection: RedisConnection) throws(RedisError) {
        for _ in 0..<10_000 {
            let pending = try store.pendingSettlements(limit: batchSize, on: connection)
            guard !pending.isEmpty else { return }
            var handlers = Set<String>()
            for (_, job) in pending {
                if let job, job.state == .failure, let handler = job.onFailure { handlers.insert(handler) }
            }
            let targets = try store.targets(handlers, on: connection)
            var settlements: [RunSettlement] = []
            for (id, job) in pending {
                guard let job, let schedule = job.schedule else {
                    try store.forgetSettlement(id, on: connection)
                    continue
                }
                var settlement = RunSettlement(job: id, schedule: schedule)
                if job.state == .failure, let handler = job.onFailure {
                    let start = try builder.start(
                        path: handler, target: targets[handler] ?? .missing, arguments: OnFailureArguments.of(job, schedule: schedule),
                        queue: job.queue, createdBy: job.createdBy,
                        fields: [(JobRecord.Field.onFailureOf.rawValue, id.rawValue), (JobRecord.Field.onFailureFor.rawValue, schedule)],
                        on: connection)
                    if case .failed(_, let error) = start {
                        settlement.onFailureError = "on-failure handler '\(handler)': \(error)"
                        logger.warning("on-failure handler cannot start", metadata: ["schedule": "\(schedule)", "error": "\(error)"])
                    } else {
                        settlement.onFailure = start
                    }
                }
                settlements.append(settlement)
            }
            for (settlement, result) in zip(settlements, try store.settle(settlements, on: connection)) {
                switch result {
                case .success(.settled(let onFailureJob)):
                    report.settled += 1
                    if let onFailureJob {
                        report.onFailureRuns += 1
                        logger.info(
                            "scheduled run failed; on-failure handler started",
                            metadata: ["schedule": "\(settlement.schedule)", "job.id": "\(settlement.job)", "on_failure.id": "\(onFailureJob)"])
                    }
                case .success(.alreadySettled):
                    break
                case .failure(let error):
                    logger.error("settling a scheduled run failed", metadata: ["job.id": "\(settlement.job)", "error": "\(error)"])
                }
            }
            if pending.count < batchSize { return }
        }
    }
}

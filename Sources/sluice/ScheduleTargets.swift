import SluiceCommandLine
import SluiceCore
import SluiceCron
import SluiceRedis
import SluiceRuntime
import SluiceStore

/// The checks and steps of `sluice schedule` that need Redis.
enum ScheduleTargets {
    /// A schedule's path must hold a script or a flow (a flow's schema must accept the arguments,
    /// and a flow takes no --retry: its modules retry); its on-failure path must hold one too.
    static func check(_ definition: ScheduleDefinition, session: Session) throws {
        try session.perform { try ScheduleTargetCheck.check(definition, keys: session.jobs.keys, on: session.connection) }
    }

    /// The schedule called `name`, or a clear error.
    static func existing(_ name: String, store: ScheduleStore, session: Session) throws -> ScheduleRecord {
        guard let schedule = try session.perform({ try store.schedule(name, on: session.connection) }) else {
            throw CommandFailure("no schedule '\(name)' (sluice schedule list shows them)")
        }
        return schedule
    }

    /// Pauses or resumes `name` at the version just read (reading again if it changed meanwhile);
    /// returns the line to print.
    static func setEnabled(_ name: String, enabled: Bool, connection: ConnectionOptions) throws -> String {
        let session = try Session(connection)
        let store = ScheduleStore(keys: session.jobs.keys)
        for _ in 0..<5 {
            let schedule = try existing(name, store: store, session: session)
            var next: Int64?
            if enabled {
                let cron = try ScheduleInput.cronSchedule(schedule.definition.cron, timeZone: schedule.definition.timeZone)
                let now = try session.perform { try session.connection.serverMilliseconds() }
                next = cron.nextFire(afterMilliseconds: now)
            }
            let change = try session.perform {
                try store.setEnabled(name, enabled: enabled, expectedVersion: schedule.version, nextDue: next, on: session.connection)
            }
            switch change {
            case .paused?: return "schedule \(name) paused"
            case .resumed?:
                return "schedule \(name) resumed; next tick "
                    + (next.map { SchedulePresenter.time($0, zone: schedule.definition.timeZone) } ?? "none")
            case .unchanged?: return "schedule \(name) was already \(enabled ? "active" : "paused")"
            case .stale?: continue
            case nil: throw CommandFailure("no schedule '\(name)'")
            }
        }
        throw CommandFailure("schedule \(name) keeps changing; try again")
    }
}

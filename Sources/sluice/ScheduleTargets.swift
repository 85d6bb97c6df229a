import SluiceCommandLine
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceSchedules
import SluiceStore

/// The checks and steps of `sluice schedule` that need Redis.
enum ScheduleTargets {
    /// A schedule's path must hold a script or a flow (a flow's schema must accept the arguments,
    /// and a flow takes no --retry: its modules retry); its on-failure path must hold one too.
    static func check(_ definition: ScheduleDefinition, session: Session) throws {
        let flows = FlowStore(keys: session.jobs.keys)
        let engine = FlowEngine(flows: flows)
        func holds(_ path: String) throws -> (flow: Bool, script: Bool) {
            try session.perform {
                (
                    try flows.flow(at: path, on: session.connection) != nil,
                    try session.scripts.script(at: path, on: session.connection) != nil
                )
            }
        }
        let target = try holds(definition.path)
        guard target.flow || target.script else {
            throw CommandFailure(
                "no script or flow at '\(definition.path)' (push one first: sluice script push \(definition.path) FILE, or sluice flow push)")
        }
        if target.flow {
            guard definition.retry == nil else {
                throw CommandFailure("--retry is for scripts; '\(definition.path)' is a flow: give its modules a retry instead")
            }
            do {
                try session.perform { _ = try engine.checkInput(definition.arguments, forFlowAt: definition.path, on: session.connection) }
            } catch let error as FlowStartError {
                throw CommandFailure("--args for the flow '\(definition.path)': \(error)")
            }
        }
        if let onFailure = definition.onFailure {
            let handler = try holds(onFailure)
            guard handler.flow || handler.script else { throw CommandFailure("no script or flow at '\(onFailure)' (--on-failure)") }
        }
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

import Foundation
import SluiceCore
import SluiceCron
public import SluiceRedis
public import SluiceStore

/// The console's changes to schedules and variables, each through the store's script (which
/// checks the version it expects) and recorded in the ``AuditLog`` — a variable's value never.
public struct SettingsActions: Sendable {
    public let keys: KeySpace
    let audit: AuditLog

    public init(keys: KeySpace) {
        self.keys = keys
        audit = AuditLog(keys: keys)
    }

    /// Pauses or resumes schedule `name` (`set_schedule_enabled` at the version read; resumed from
    /// the next tick after now on Redis's clock). Returns what happened, `nil` for no such schedule.
    public func setSchedule(_ name: String, enabled: Bool, who: String, on connection: RedisConnection) throws -> String? {
        let store = ScheduleStore(keys: keys)
        for _ in 0..<5 {
            guard let schedule = try store.schedule(name, on: connection) else { return nil }
            var next: Int64?
            if enabled {
                let cron = try CronSchedule(cron: schedule.definition.cron, timeZone: schedule.definition.timeZone)
                next = cron.nextFire(afterMilliseconds: try connection.serverMilliseconds())
            }
            let outcome: String
            switch try store.setEnabled(name, enabled: enabled, expectedVersion: schedule.version, nextDue: next, on: connection) {
            case .paused?: outcome = "paused"
            case .resumed?: outcome = "resumed"
            case .unchanged?: outcome = "already \(enabled ? "active" : "paused")"
            case .stale?: continue
            case nil: return nil
            }
            try audit.record(who: who, action: enabled ? "resume-schedule" : "pause-schedule", target: name, outcome: outcome, on: connection)
            return outcome
        }
        return "not changed: the schedule kept changing; try again"
    }

    /// Why a variable was not set.
    public enum VariableRefusal: Error, Sendable, Equatable {
        case notFound
        case refused(String)
    }

    /// Sets existing resource `path` to the JSON `text` at the version the page showed (its type,
    /// description and access rule kept): `set_resource`, which refuses a version no longer
    /// current. Text that is not a JSON object is refused, naming the field.
    public func setResource(_ path: String, text: String, expectedVersion: Int, who: String, on connection: RedisConnection) throws
        -> Result<Int, VariableRefusal>
    {
        let store = ResourceStore(keys: keys)
        guard let current = try store.resource(at: path, on: connection) else { return .failure(.notFound) }
        guard let value = try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth), case .object = value else {
            return .failure(.refused("value: not a JSON object"))
        }
        do {
            let (_, version) = try store.set(path: path, type: current.type, value: value, expectedVersion: expectedVersion, on: connection)
            try audit.record(who: who, action: "set-resource", target: path, outcome: "version \(version)", on: connection)
            return .success(version)
        } catch let refusal as StoreRefusal {
            try audit.record(who: who, action: "set-resource", target: path, outcome: "refused: \(refusal)", on: connection)
            return .failure(.refused("\(refusal)"))
        }
    }

    /// Sets existing variable `path` to `value` at the version the page showed: a plain one as it
    /// is, a secret sealed to the registered secrets key here (the console never holds the private
    /// key, and never reads a secret's value).
    public func setVariable(_ path: String, value: String, expectedVersion: Int, who: String, on connection: RedisConnection) throws
        -> Result<Int, VariableRefusal>
    {
        let store = VariableStore(keys: keys)
        guard let current = try store.variable(at: path, on: connection) else { return .failure(.notFound) }
        let update: VariableUpdate.Value
        if current.isSecret {
            guard let key = try store.registeredKey(on: connection) else { return .failure(.refused("no secrets key is registered")) }
            update = .sealed(try SecretSeal.seal(value, path: path, to: key), publicKey: key)
        } else {
            update = .plain(value)
        }
        do {
            let (_, version) = try store.set(VariableUpdate(path: path, value: update, expectedVersion: expectedVersion), on: connection)
            try audit.record(who: who, action: "set-variable", target: path, outcome: "version \(version)", on: connection)
            return .success(version)
        } catch let refusal as StoreRefusal {
            try audit.record(who: who, action: "set-variable", target: path, outcome: "refused: \(refusal)", on: connection)
            return .failure(.refused("\(refusal)"))
        }
    }
}

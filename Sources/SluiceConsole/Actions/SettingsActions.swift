import Foundation
import SluiceCore
import SluiceCron
public import SluiceRedis
import SluiceSecrets
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
        if let problem = ResourceStore.valueProblem(value) { return .failure(.refused("value: \(problem)")) }
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

    /// A new variable or resource: where, and what.
    public struct NewItem: Sendable {
        public var path: String
        /// A variable's value (a secret's plaintext, sealed here), or a resource's JSON text.
        public var value: String
        public var description: String?
        /// A variable: whether it is a secret. A resource: unused.
        public var secret = false
        /// A resource's type. A variable: unused.
        public var type = ""

        public init(path: String, value: String, description: String?, secret: Bool = false, type: String = "") {
            self.path = path
            self.value = value
            self.description = description
            self.secret = secret
            self.type = type
        }
    }

    /// What is wrong with a new item's fields, naming the field, or `nil`: a path like
    /// `f/payments/db`; for a resource, a valid type and a JSON object whose references name only
    /// variables.
    public static func inputProblem(_ item: NewItem, resource: Bool) -> ConsoleInputError? {
        guard ScriptPath(item.path) != nil else { return ConsoleInputError(field: "path", "is not a path like f/payments/db") }
        guard resource else { return nil }
        if let problem = ResourceStore.typeProblem(item.type) { return ConsoleInputError(field: "type", problem) }
        guard let value = try? JSONValue(parsing: item.value, maximumDepth: JSONValue.maximumInputDepth), case .object = value else {
            return ConsoleInputError(field: "value", "is not a JSON object")
        }
        if let problem = ResourceStore.valueProblem(value) { return ConsoleInputError(field: "value", problem) }
        return nil
    }

    /// Creates variable `item.path` — only if there is none (`set_variable` at version 0, so two
    /// operators creating the same path cannot overwrite each other): plain, or a secret sealed to
    /// the registered secrets key. Readable by every job unless an access rule is set later (as
    /// `sluice variable set` without `--allow`).
    public func createVariable(_ item: NewItem, who: String, on connection: RedisConnection) throws -> Result<Int, VariableRefusal> {
        if let problem = Self.inputProblem(item, resource: false) { return .failure(.refused("\(problem)")) }
        let store = VariableStore(keys: keys)
        if try store.variable(at: item.path, on: connection) != nil {
            return .failure(.refused("\(item.path) already exists: set its value in its row"))
        }
        let update: VariableUpdate.Value
        if item.secret {
            guard let key = try store.registeredKey(on: connection) else { return .failure(.refused("no secrets key is registered")) }
            update = .sealed(try SecretSeal.seal(item.value, path: item.path, to: key), publicKey: key)
        } else {
            update = .plain(item.value)
        }
        let action = item.secret ? "create-secret" : "create-variable"
        do {
            let (_, version) = try store.set(
                VariableUpdate(path: item.path, value: update, description: item.description, expectedVersion: 0), on: connection)
            try audit.record(who: who, action: action, target: item.path, outcome: "version \(version)", on: connection)
            return .success(version)
        } catch let refusal as StoreRefusal {
            try audit.record(who: who, action: action, target: item.path, outcome: "refused: \(refusal)", on: connection)
            return .failure(.refused("\(refusal)"))
        }
    }

    /// Creates resource `item.path` of `item.type` from the JSON object `item.value` — only if
    /// there is none (`set_resource` at version 0); its `$var:` references may name variables that
    /// do not exist yet (jobs reading it fail until they do), never other resources.
    public func createResource(_ item: NewItem, who: String, on connection: RedisConnection) throws -> Result<Int, VariableRefusal> {
        if let problem = Self.inputProblem(item, resource: true) { return .failure(.refused("\(problem)")) }
        guard let value = try? JSONValue(parsing: item.value, maximumDepth: JSONValue.maximumInputDepth) else {
            return .failure(.refused("value: not JSON"))
        }
        let store = ResourceStore(keys: keys)
        if try store.resource(at: item.path, on: connection) != nil {
            return .failure(.refused("\(item.path) already exists: set its value in its row"))
        }
        do {
            let (_, version) = try store.set(
                path: item.path, type: item.type, value: value, description: item.description, expectedVersion: 0, on: connection)
            try audit.record(who: who, action: "create-resource", target: item.path, outcome: "version \(version)", on: connection)
            return .success(version)
        } catch let refusal as StoreRefusal {
            try audit.record(who: who, action: "create-resource", target: item.path, outcome: "refused: \(refusal)", on: connection)
            return .failure(.refused("\(refusal)"))
        }
    }

    /// Deletes variable `path` (its value, sealed or plain, with it). Returns whether there was one.
    public func deleteVariable(_ path: String, who: String, on connection: RedisConnection) throws -> Bool {
        let deleted = try VariableStore(keys: keys).delete(path, on: connection)
        if deleted { try audit.record(who: who, action: "delete-variable", target: path, outcome: "deleted", on: connection) }
        return deleted
    }

    /// Deletes resource `path`. Returns whether there was one.
    public func deleteResource(_ path: String, who: String, on connection: RedisConnection) throws -> Bool {
        let deleted = try ResourceStore(keys: keys).delete(path, on: connection)
        if deleted { try audit.record(who: who, action: "delete-resource", target: path, outcome: "deleted", on: connection) }
        return deleted
    }
}

public import SluiceCore
import SluiceCron
import SluiceFlows
public import SluiceRedis
public import SluiceRuntime
public import SluiceStore

/// `sluice sync push`: brings what a workspace folder holds into the store — variables, then
/// resources, then scripts, then flows (a flow after the flows it calls), then schedules — and
/// says for each item whether it was created, updated or left unchanged.
///
/// Everything is read and checked before anything is written: a folder with one bad file (YAML
/// that does not parse, a flow that cannot run here, a schedule whose cron never fires or whose
/// target exists nowhere) changes nothing. Each item is then one store operation of its own; a
/// Redis that goes away part-way leaves the items already written, and pushing again finishes
/// the rest (a push of what is already stored changes nothing).
public struct WorkspaceImport {
    /// What happened, or would happen, to one item.
    public enum Action: String, Sendable {
        case create = "created"
        case update = "updated"
        case unchanged
        /// A secret whose value is not in the folder and not yet stored: set it with `sluice variable set --secret`.
        case toSet = "to set"
        /// A secret already stored: sync does not replace secrets.
        case kept
    }

    /// One line of the report.
    public struct Entry: Sendable, Equatable {
        public var kind: String
        public var path: String
        public var action: Action
        public var note: String?
    }

    /// The outcome: an entry per item, in the order they were applied, and the warnings.
    public struct Report: Sendable {
        public var entries: [Entry] = []
        public var warnings: [String] = []

        public func count(_ action: Action) -> Int { entries.filter { $0.action == action }.count }
    }

    public let keys: KeySpace
    public var policy: FlowEngine.PushPolicy
    /// The lock of a python3 or TypeScript script (`nil`: it needs none), given its language,
    /// content and Windmill's lock of it (``FlowEngine/ScriptLocker``).
    public var lockScript: FlowEngine.ScriptLocker
    /// Seals a secret's value for its path; `nil` when no secrets public key was given.
    public var sealSecret: ((_ value: String, _ path: String) throws -> VariableUpdate.Value)?

    public init(
        keys: KeySpace, policy: FlowEngine.PushPolicy = FlowEngine.PushPolicy(), lockScript: @escaping FlowEngine.ScriptLocker = { _, _, _ in nil },
        sealSecret: ((_ value: String, _ path: String) throws -> VariableUpdate.Value)? = nil
    ) {
        self.keys = keys
        self.policy = policy
        self.lockScript = lockScript
        self.sealSecret = sealSecret
    }

    /// Checks everything in `contents`, then (unless `dryRun`) writes what differs from the store.
    public func push(_ contents: WorkspaceContents, dryRun: Bool, on connection: RedisConnection) throws -> Report {
        var problems = contents.problems
        var report = Report(warnings: contents.warnings)
        let engine = FlowEngine(flows: FlowStore(keys: keys))
        let scripts = ScriptStore(keys: keys)
        let variables = VariableStore(keys: keys)
        let resources = ResourceStore(keys: keys)
        let schedules = ScheduleStore(keys: keys)

        // Flows: parsed and checked, in call order.
        var prepared: [String: FlowEngine.Prepared] = [:]
        for flow in contents.flows {
            do {
                let item = try engine.prepare(
                    text: flow.text, loadInline: FlowFiles.inlineLoader(folder: flow.folder), policy: policy, on: connection)
                prepared[flow.path.rawValue] = item
                report.warnings += item.flow.warnings.map { "\(flow.file): \($0)" }
            } catch let error as RedisError {
                throw error
            } catch {
                problems.append("\(flow.file): \(error)")
            }
        }
        // Resources: a field may reference a variable, not another resource.
        for resource in contents.resources {
            for reference in resource.value.references where reference.kind == .resource || ScriptPath(reference.path) == nil {
                problems.append(
                    "\(resource.file): '\(reference.marker)': "
                        + (reference.kind == .resource
                            ? "a resource's fields may reference variables ($var:), not other resources" : "not a valid variable path"))
            }
        }
        // Schedules: their targets are in the folder or already stored.
        let folderScripts = Set(contents.scripts.map(\.path.rawValue))
        var planned: [(WorkspaceSchedule, ScheduleDefinition, CronSchedule)] = []
        for schedule in contents.schedules {
            do {
                let (definition, warnings, isFlow) = try WindmillSchedule.definition(name: schedule.name, schedule.document, file: schedule.file)
                report.warnings += warnings
                let cron = try ScheduleInput.cronSchedule(definition.cron, timeZone: definition.timeZone)
                try checkTarget(definition, isFlow: isFlow, prepared: prepared, folderScripts: folderScripts, engine: engine, on: connection)
                planned.append((schedule, definition, cron))
            } catch let error as RedisError {
                throw error
            } catch let failure as CommandFailure {
                problems.append(failure.description.hasPrefix(schedule.file) ? failure.description : "\(schedule.file): \(failure)")
            }
        }
        guard problems.isEmpty else {
            throw CommandFailure("nothing pushed; fix these first:\n  " + problems.joined(separator: "\n  "))
        }

        for variable in contents.variables {
            report.entries.append(try pushVariable(variable, dryRun: dryRun, store: variables, on: connection))
        }
        for resource in contents.resources {
            let stored = try resources.resource(at: resource.path.rawValue, on: connection)
            let action: Action =
                stored == nil
                ? .create
                : (stored?.type == resource.type && stored?.value == resource.value && stored?.description == resource.description
                    ? .unchanged : .update)
            if action != .unchanged, !dryRun {
                _ = try resources.set(
                    path: resource.path.rawValue, type: resource.type, value: resource.value, description: resource.description, on: connection)
            }
            report.entries.append(Entry(kind: "resource", path: resource.path.rawValue, action: action))
        }
        for script in contents.scripts {
            let stored = try scripts.script(at: script.path.rawValue, on: connection)
            let action: Action =
                stored == nil
                ? .create
                : (stored?.hash == ContentHash.of(script.content) && stored?.language == script.language && stored?.summary == script.summary
                    ? .unchanged : .update)
            if action != .unchanged, !dryRun {
                let lock = script.language == .bash ? nil : try lockScript(script.language, script.content, script.windmillLock)
                _ = try scripts.push(
                    path: script.path, language: script.language, content: script.content, summary: script.summary, lock: lock, on: connection)
            }
            report.entries.append(Entry(kind: "script", path: script.path.rawValue, action: action))
        }
        for flow in Self.callOrder(contents.flows) {
            guard let item = prepared[flow.path.rawValue] else { continue }
            let stored = try engine.flows.flow(at: flow.path.rawValue, on: connection)
            let action: Action = stored == nil ? .create : (stored?.hash == item.hash ? .unchanged : .update)
            if action != .unchanged, !dryRun {
                _ = try engine.push(path: flow.path, prepared: item, lockScript: lockScript, on: connection)
            }
            report.entries.append(Entry(kind: "flow", path: flow.path.rawValue, action: action))
        }
        for (schedule, definition, cron) in planned {
            let stored = try schedules.schedule(definition.name, on: connection)
            let action: Action =
                stored == nil ? .create : (stored.map { WindmillSchedule.same($0.definition, definition) } == true ? .unchanged : .update)
            if action != .unchanged, !dryRun {
                let next = try ScheduleInput.nextDue(cron, after: try connection.serverMilliseconds())
                _ = try schedules.set(definition, nextDue: next, on: connection)
            }
            report.entries.append(Entry(kind: "schedule", path: schedule.name, action: action))
        }
        return report
    }

    private func pushVariable(_ variable: WorkspaceVariable, dryRun: Bool, store: VariableStore, on connection: RedisConnection) throws -> Entry {
        let path = variable.path.rawValue
        let stored = try store.variable(at: path, on: connection)
        guard variable.isSecret else {
            let value = variable.value ?? ""
            let action: Action =
                stored == nil
                ? .create
                : (stored?.isSecret == false && stored?.storedValue == value && stored?.description == variable.description ? .unchanged : .update)
            if action != .unchanged, !dryRun {
                _ = try store.set(VariableUpdate(path: path, value: .plain(value), description: variable.description), on: connection)
            }
            return Entry(kind: "variable", path: path, action: action)
        }
        if stored?.isSecret == true {
            return Entry(
                kind: "secret", path: path, action: .kept, note: "already set; sync does not replace secrets (sluice variable set --secret does)")
        }
        guard let value = variable.value, let sealSecret else {
            let why = variable.value == nil ? "its value is not in the folder" : "no secrets public key was given (--public-key)"
            return Entry(kind: "secret", path: path, action: .toSet, note: "\(why): sluice variable set \(path) --secret --from-stdin")
        }
        if !dryRun {
            _ = try store.set(VariableUpdate(path: path, value: try sealSecret(value, path), description: variable.description), on: connection)
        }
        return Entry(kind: "secret", path: path, action: .create)
    }

    /// A schedule's target (and on-failure handler) must be a script or flow of the folder, or stored.
    private func checkTarget(
        _ definition: ScheduleDefinition, isFlow: Bool, prepared: [String: FlowEngine.Prepared], folderScripts: Set<String>, engine: FlowEngine,
        on connection: RedisConnection
    ) throws {
        if let flow = prepared[definition.path] {
            guard definition.retry == nil else {
                throw CommandFailure("retry is for scripts; '\(definition.path)' is a flow: give its modules a retry instead")
            }
            do {
                _ = try engine.validated(definition.arguments, for: flow.flow.definition)
            } catch let error as FlowStartError {
                throw CommandFailure("args for the flow '\(definition.path)': \(error)")
            }
        } else if folderScripts.contains(definition.path) {
            if isFlow { throw CommandFailure("is_flow is true, but '\(definition.path)' is a script") }
        } else {
            var stored = definition
            stored.onFailure = nil
            try ScheduleTargetCheck.check(stored, keys: keys, on: connection)
        }
        if let onFailure = definition.onFailure, prepared[onFailure] == nil, !folderScripts.contains(onFailure) {
            let found =
                try engine.flows.flow(at: onFailure, on: connection) != nil || ScriptStore(keys: keys).script(at: onFailure, on: connection) != nil
            if !found { throw CommandFailure("no script or flow at '\(onFailure)' (its on_failure handler), in the folder or stored") }
        }
    }

    /// The flows in an order where each comes after the flows of the folder it calls (a cycle keeps file order).
    static func callOrder(_ flows: [WorkspaceFlow]) -> [WorkspaceFlow] {
        var remaining = flows
        var ordered: [WorkspaceFlow] = []
        var placed = Set<String>()
        let inFolder = Set(flows.map(\.path.rawValue))
        while !remaining.isEmpty {
            let ready = remaining.firstIndex { flow in
                flow.subflows.allSatisfy { placed.contains($0) || !inFolder.contains($0) || $0 == flow.path.rawValue }
            }
            let next = remaining.remove(at: ready ?? 0)
            ordered.append(next)
            placed.insert(next.path.rawValue)
        }
        return ordered
    }
}

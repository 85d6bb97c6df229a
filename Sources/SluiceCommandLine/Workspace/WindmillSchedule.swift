public import SluiceCore
import SluiceCron
public import SluiceStore

/// A schedule as Windmill writes it (`name.schedule.yaml`: `schedule`, `timezone`, `script_path`,
/// `is_flow`, `args`, `enabled`, `no_flow_overlap`, `on_failure`, `retry`, `tag`, `email`...) read
/// into a ``ScheduleDefinition``, and written back.
public enum WindmillSchedule {
    /// Fields Sluice does not honour, with what it does instead (warned only when they say something).
    static let unhonoured: [String: String] = [
        "on_recovery": "ignored: Sluice runs no handler when a schedule recovers",
        "on_success": "ignored: Sluice runs no handler after each success",
        "paused_until": "ignored: pause and resume with sluice schedule pause/resume",
        "on_failure_times": "ignored: the on-failure handler runs at every failure",
        "on_failure_exact": "ignored: the on-failure handler runs at every failure",
        "on_failure_extra_args": "ignored: the on-failure handler gets the error only",
        "dynamic_skip": "ignored: every tick fires",
    ]

    /// The definition `document` describes, the warnings about fields Sluice does not honour, and
    /// whether the document says its target is a flow (`is_flow`).
    public static func definition(name: String, _ document: JSONValue, file: String) throws(CommandFailure) -> (
        definition: ScheduleDefinition, warnings: [String], isFlow: Bool
    ) {
        guard let cron = document["schedule"]?.stringValue else { throw CommandFailure("\(file): no schedule (the cron expression)") }
        guard let path = document["script_path"]?.stringValue else { throw CommandFailure("\(file): no script_path") }
        var warnings: [String] = []
        for (key, value) in document.memberList ?? [] {
            guard let reason = unhonoured[key] else { continue }
            let says: Bool =
                switch value {
                case .null: false
                case .bool(let flag): flag
                case .number(let number): key == "on_failure_times" ? number > 1 : number != 0
                case .string(let text): !text.isEmpty
                case .array(let list): !list.isEmpty
                case .object: !(value.memberList ?? []).isEmpty
                }
            if says { warnings.append("\(file): \(key) — \(reason)") }
        }
        var onFailure = document["on_failure"]?.stringValue
        // Windmill writes the handler as script/PATH or flow/PATH.
        for kind in ["script/", "flow/"] where onFailure?.hasPrefix(kind) == true {
            onFailure = onFailure.map { String($0.dropFirst(kind.count)) }
        }
        if onFailure?.isEmpty == true { onFailure = nil }
        var queue = "default"
        if let tag = document["tag"]?.stringValue, !tag.isEmpty {
            if QueueName.isValid(tag) {
                queue = tag
                warnings.append("\(file): tag '\(tag)' — its runs go to the queue '\(tag)': a worker must serve it (worker --queue \(tag))")
            } else {
                warnings.append("\(file): tag '\(tag)' — not a queue name: its runs go to the default queue")
            }
        }
        let retry = document["retry"].flatMap { $0.isNull ? nil : $0 }
        let options = ScheduleInput.Options(
            name: name, path: path, cron: cron, timeZone: document["timezone"]?.stringValue ?? "UTC",
            argumentsJSON: (document["args"].flatMap { $0.isNull ? nil : $0 } ?? .emptyObject).jsonText, queue: queue,
            createdBy: document["email"]?.stringValue, enabled: document["enabled"]?.boolValue ?? true,
            noOverlap: document["no_flow_overlap"]?.boolValue ?? false, onFailure: onFailure, retryJSON: retry?.jsonText)
        do {
            let (definition, _) = try ScheduleInput.definition(options)
            return (definition, warnings, document["is_flow"]?.boolValue ?? false)
        } catch {
            throw CommandFailure("\(file): \(error)")
        }
    }

    /// Whether two definitions are the same schedule (retry delays are drawn with jitter each time a policy is read).
    public static func same(_ one: ScheduleDefinition, _ other: ScheduleDefinition) -> Bool {
        var one = one
        one.retryDelays = other.retryDelays
        return one == other
    }

    /// The document Windmill would write for `definition` (`isFlow`: its target is a flow).
    public static func document(_ definition: ScheduleDefinition, isFlow: Bool, onFailureIsFlow: Bool) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("schedule", .string(definition.cron)), ("timezone", .string(definition.timeZone)), ("enabled", .bool(definition.enabled)),
            ("script_path", .string(definition.path)), ("is_flow", .bool(isFlow)), ("args", definition.arguments),
            ("no_flow_overlap", .bool(definition.noOverlap)),
        ]
        if let onFailure = definition.onFailure { members.append(("on_failure", .string((onFailureIsFlow ? "flow/" : "script/") + onFailure))) }
        if let retry = definition.retry { members.append(("retry", retry)) }
        if definition.queue != "default" { members.append(("tag", .string(definition.queue))) }
        if let createdBy = definition.createdBy { members.append(("email", .string(createdBy))) }
        return JSONValue(members: members)
    }
}

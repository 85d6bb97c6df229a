import Foundation
public import SluiceCore

/// How jobs look on a terminal and as JSON for scripts.
public enum JobPresenter {
    /// Milliseconds since the epoch as an ISO 8601 UTC timestamp with milliseconds.
    public static func timestamp(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// A job as aligned `field: value` lines.
    public static func text(_ job: JobRecord) -> String {
        var lines: [(String, String)] = [
            ("id", job.id.rawValue),
            ("state", job.state.rawValue),
            ("kind", job.kind.rawValue),
            ("queue", job.queue),
        ]
        if let path = job.path { lines.append(("path", path)) }
        if let hash = job.scriptHash { lines.append(("script", String(hash.prefix(16)))) }
        if let createdBy = job.createdBy { lines.append(("created by", createdBy)) }
        if let trigger = job.trigger { lines.append(("triggered by", trigger)) }
        lines.append(("created", timestamp(job.createdAt)))
        if let scheduled = job.scheduledFor { lines.append(("scheduled for", timestamp(scheduled))) }
        if let started = job.startedAt { lines.append(("started", timestamp(started))) }
        if let finished = job.finishedAt {
            lines.append(("finished", timestamp(finished)))
            if let started = job.startedAt ?? (job.kind == .flow ? job.createdAt : nil) { lines.append(("duration", "\(finished - started) ms")) }
        }
        if let before = job.deliveriesBefore {
            lines.append(("deliveries", "\(job.deliveries - before) of at most \(job.maxDeliveries) this attempt (\(job.deliveries) in all)"))
        } else {
            lines.append(("deliveries", "\(job.deliveries) of at most \(job.maxDeliveries)"))
        }
        if let worker = job.worker { lines.append(("worker", worker)) }
        if let timeout = job.timeoutSeconds { lines.append(("timeout", "\(timeout) s")) }
        if let flowID = job.flowID { lines.append(("flow", flowID.rawValue)) }
        if let module = job.moduleID { lines.append(("module", "\(module) (attempt \(job.attempt))")) }
        if let subflow = job.subflow { lines.append(("subflow", subflow)) }
        if let parentFlow = job.parentFlow {
            lines.append(("parent", "flow \(parentFlow), step \(job.parentJob ?? "?")"))
        }
        if job.isSkipped { lines.append(("skipped", "yes (stop_after_if with skip_if_stopped)")) }
        if let caller = job.calledBy { lines.append(("called by", "\(caller) (call depth \(job.callDepth.map(String.init) ?? "?"))")) }
        lines += scheduleLines(job)
        lines.append((job.kind == .flow ? "input" : "args", job.arguments.jsonText))
        if let result = job.result { lines.append(("result", result.jsonText)) }
        if let error = job.error { lines.append(("error", error)) }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { name, value in
            name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value
        }.joined(separator: "\n")
    }

    /// What a schedule's run shows: its schedule and tick, its attempt and the last attempt's
    /// error while a retry waits, its on-failure run; for an on-failure run, the run it handles.
    static func scheduleLines(_ job: JobRecord) -> [(String, String)] {
        var lines: [(String, String)] = []
        if let schedule = job.schedule {
            let tick = job.scheduleTick.flatMap { Int64($0) }.map { " (tick " + timestamp($0 * 1000) + ")" } ?? ""
            lines.append(("schedule", schedule + tick))
        }
        if job.kind != .step, job.hasAttempt {
            lines.append(("attempt", "\(job.attempt) of at most \(job.retryDelays.count + 1)"))
            if job.state == .scheduled, let error = job.lastError { lines.append(("last error", error)) }
        }
        if let handler = job.onFailureJob { lines.append(("on-failure run", handler)) }
        if let failed = job.onFailureOf { lines.append(("on failure of", "\(failed) (schedule \(job.onFailureFor ?? "?"))")) }
        return lines
    }

    /// A flow's steps as a table: position, module, state, attempt, duration, result or error.
    public static func steps(_ steps: [JobRecord]) -> String {
        var rows = [["STEP", "MODULE", "WHERE", "STATE", "ATTEMPT", "DURATION", "RESULT / ERROR"]]
        for step in steps {
            let duration = step.startedAt.flatMap { started in step.finishedAt.map { "\($0 - started) ms" } } ?? "-"
            var outcome = step.result?.jsonText ?? step.error ?? ""
            outcome = outcome.replacingOccurrences(of: "\n", with: " ")
            if outcome.count > 80 { outcome = String(outcome.prefix(77)) + "..." }
            var module = step.moduleID ?? "?"
            if let type = step.moduleType, !["script", "rawscript", "identity"].contains(type) { module += " (\(type))" }
            if step.isSkipped { outcome = "skipped: " + outcome }
            if let subflow = step.subflow { outcome = "subflow \(subflow)" + (outcome.isEmpty ? "" : ": " + outcome) }
            rows.append([
                step.id.rawValue, module, place(step.frame), step.state.rawValue, String(step.attempt), duration, outcome,
            ])
        }
        return Table.render(rows)
    }

    /// The jobs a job started through its channel (`run_script_by_path`…), as a table.
    public static func calls(_ calls: [JobRecord]) -> String {
        var rows = [["CALL", "KIND", "PATH", "STATE", "RESULT / ERROR"]]
        for call in calls {
            var outcome = (call.result?.jsonText ?? call.error ?? "").replacingOccurrences(of: "\n", with: " ")
            if outcome.count > 80 { outcome = String(outcome.prefix(77)) + "..." }
            rows.append([call.id.rawValue, call.kind.rawValue, call.path ?? "-", call.state.rawValue, outcome])
        }
        return Table.render(rows)
    }

    /// Where a step ran, for people: `top`, `failure`, or the loop iterations and branches it is in
    /// (`r.2.17` → `#2[17]`: child 17 of the module at index 2).
    public static func place(_ frame: String?) -> String {
        guard let frame, frame != "r" else { return "top" }
        if frame == "f" { return "failure" }
        let parts = frame.split(separator: ".").dropFirst()
        var text = ""
        var index = parts.startIndex
        while index < parts.endIndex, parts.index(after: index) < parts.endIndex {
            text += "#\(parts[index])[\(parts[parts.index(after: index)])]"
            index = parts.index(index, offsetBy: 2)
        }
        return text.isEmpty ? frame : text
    }

    /// A job as a JSON object, for `--json`.
    public static func json(_ job: JobRecord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(job.id.rawValue)),
            ("state", .string(job.state.rawValue)),
            ("kind", .string(job.kind.rawValue)),
            ("queue", .string(job.queue)),
            ("path", job.path.map(JSONValue.string) ?? .null),
            ("args", job.arguments),
            ("result", job.result ?? .null),
            ("error", job.error.map(JSONValue.string) ?? .null),
            ("created_at", .number(Double(job.createdAt))),
            ("started_at", job.startedAt.map { .number(Double($0)) } ?? .null),
            ("finished_at", job.finishedAt.map { .number(Double($0)) } ?? .null),
            ("deliveries", .number(Double(job.deliveries))),
            ("worker", job.worker.map(JSONValue.string) ?? .null),
            ("created_by", job.createdBy.map(JSONValue.string) ?? .null),
        ]
        if let scheduled = job.scheduledFor { members.append(("scheduled_for", .number(Double(scheduled)))) }
        if let flowID = job.flowID { members.append(("flow_id", .string(flowID.rawValue))) }
        if let module = job.moduleID { members.append(("module_id", .string(module))) }
        if let subflow = job.subflow { members.append(("subflow", .string(subflow))) }
        if let parentFlow = job.parentFlow { members.append(("parent_flow", .string(parentFlow))) }
        if let parentJob = job.parentJob { members.append(("parent_job", .string(parentJob))) }
        if job.isSkipped { members.append(("skipped", .bool(true))) }
        if let schedule = job.schedule { members.append(("schedule", .string(schedule))) }
        if let trigger = job.trigger { members.append(("trigger", .string(trigger))) }
        if let caller = job.calledBy { members.append(("called_by", .string(caller))) }
        if let depth = job.callDepth { members.append(("call_depth", .number(Double(depth)))) }
        if let tick = job.scheduleTick.flatMap({ Double($0) }) { members.append(("schedule_tick", .number(tick))) }
        if job.kind != .step, job.hasAttempt { members.append(("attempt", .number(Double(job.attempt)))) }
        if let handler = job.onFailureJob { members.append(("on_failure_job", .string(handler))) }
        if let failed = job.onFailureOf { members.append(("on_failure_of", .string(failed))) }
        return JSONValue(members: members)
    }
}

import Foundation
public import SluiceCore
public import SluiceStore

/// How schedules look on a terminal and as JSON: times in the schedule's own zone (with their
/// UTC offset), runs with their job ids, outcomes and lateness.
public enum SchedulePresenter {
    /// `milliseconds` as ISO 8601 in the zone named `zone`, e.g. `2026-03-29T03:00:00+02:00`
    /// (UTC when the zone is unknown).
    public static func time(_ milliseconds: Int64, zone: String) -> String {
        let timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 0) ?? .current
        let style = Date.ISO8601FormatStyle(timeZone: timeZone).year().month().day().time(includingFractionalSeconds: false)
            .timeZone(separator: .colon)
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(style)
    }

    /// Every schedule as a table: name, what it runs, when, whether it is paused, next and last tick.
    public static func table(_ schedules: [ScheduleRecord]) -> String {
        var rows = [["NAME", "PATH", "CRON", "ZONE", "STATE", "NEXT", "LAST TICK", "FIRED", "SKIPPED"]]
        for schedule in schedules {
            let definition = schedule.definition
            rows.append([
                definition.name, definition.path, definition.cron, definition.timeZone, definition.enabled ? "active" : "paused",
                schedule.nextDue.map { time($0, zone: definition.timeZone) } ?? "-",
                schedule.lastTick.map { time($0 * 1000, zone: definition.timeZone) } ?? "-", String(schedule.fired), String(schedule.skipped),
            ])
        }
        return Table.render(rows)
    }

    /// A schedule's definition and state as aligned `field: value` lines.
    public static func text(_ schedule: ScheduleRecord) -> String {
        let definition = schedule.definition
        var lines: [(String, String)] = [
            ("name", definition.name), ("path", definition.path), ("cron", definition.cron), ("zone", definition.timeZone),
            ("state", definition.enabled ? "active" : "paused"), ("args", definition.arguments.jsonText), ("queue", definition.queue),
        ]
        if let createdBy = definition.createdBy { lines.append(("runs as", createdBy)) }
        if definition.noOverlap { lines.append(("no overlap", "yes: a tick is skipped while the previous run is going")) }
        if let onFailure = definition.onFailure { lines.append(("on failure", onFailure)) }
        if let retry = definition.retry {
            let waits = definition.retryDelays.map { JSONValue.format(number: Double($0) / 1000) + " s" }.joined(separator: ", ")
            lines.append(("retry", "\(retry.jsonText) (waits \(waits))"))
        }
        lines.append(("next", schedule.nextDue.map { time($0, zone: definition.timeZone) } ?? "-"))
        lines.append(("last tick", schedule.lastTick.map { time($0 * 1000, zone: definition.timeZone) } ?? "-"))
        lines.append(("fired", "\(schedule.fired) (\(schedule.catchUps) catch-ups), skipped \(schedule.skipped)"))
        lines.append(("version", "\(schedule.version), changed \(JobPresenter.timestamp(schedule.updatedAt))"))
        lines.append(("created", JobPresenter.timestamp(schedule.createdAt)))
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    /// Recent runs as a table, newest first. `states` holds the live state of runs not settled yet.
    public static func runs(_ runs: [ScheduleRun], states: [JobID: String], zone: String) -> String {
        var rows = [["TICK", "LATE", "KIND", "JOB", "OUTCOME", "ON FAILURE"]]
        for run in runs {
            var kind = run.kind == .catchUp ? "catch-up (\(run.missed) missed)" : run.kind.rawValue
            if run.kind == .skipped { kind = "skipped (previous run going)" }
            rows.append([
                time(run.tick * 1000, zone: zone), "\(run.lateness) ms", kind, run.job?.rawValue ?? "-", outcome(run, states: states),
                run.onFailureJob?.rawValue ?? run.onFailureError ?? "",
            ])
        }
        return Table.render(rows)
    }

    /// A run's outcome: settled, else the job's live state; with its attempts when it retried.
    static func outcome(_ run: ScheduleRun, states: [JobID: String]) -> String {
        if run.kind == .skipped { return "-" }
        guard let outcome = run.outcome ?? run.job.flatMap({ states[$0] }) else { return "expired" }
        if let attempts = run.attempts, attempts > 1 { return "\(outcome) (\(attempts) attempts)" }
        return outcome
    }

    /// A schedule and its runs as JSON, for `--json`.
    public static func json(_ schedule: ScheduleRecord, runs: [ScheduleRun]? = nil, states: [JobID: String] = [:]) -> JSONValue {
        let definition = schedule.definition
        func number(_ value: Int64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        var members: [(String, JSONValue)] = [
            ("name", .string(definition.name)), ("path", .string(definition.path)), ("cron", .string(definition.cron)),
            ("timezone", .string(definition.timeZone)), ("enabled", .bool(definition.enabled)), ("args", definition.arguments),
            ("queue", .string(definition.queue)), ("created_by", definition.createdBy.map(JSONValue.string) ?? .null),
            ("no_overlap", .bool(definition.noOverlap)), ("on_failure", definition.onFailure.map(JSONValue.string) ?? .null),
            ("retry", definition.retry ?? .null), ("retry_delays_ms", .array(definition.retryDelays.map { .number(Double($0)) })),
            ("version", .number(Double(schedule.version))), ("created_at", .number(Double(schedule.createdAt))),
            ("updated_at", .number(Double(schedule.updatedAt))), ("next_due", number(schedule.nextDue)), ("last_tick", number(schedule.lastTick)),
            ("last_job", schedule.lastJob.map { .string($0.rawValue) } ?? .null), ("fired", .number(Double(schedule.fired))),
            ("skipped", .number(Double(schedule.skipped))), ("catch_ups", .number(Double(schedule.catchUps))),
        ]
        if let runs {
            let entries: [JSONValue] = runs.map { run in
                JSONValue(members: [
                    ("tick", .number(Double(run.tick))), ("tick_time", .string(time(run.tick * 1000, zone: definition.timeZone))),
                    ("handled_at", .number(Double(run.handledAt))), ("lateness_ms", .number(Double(run.lateness))),
                    ("kind", .string(run.kind.rawValue)),
                    ("missed", .number(Double(run.missed))), ("job", run.job.map { .string($0.rawValue) } ?? .null),
                    ("outcome", run.kind == .skipped ? .null : .string(run.outcome ?? run.job.flatMap { states[$0] } ?? "expired")),
                    ("settled", .bool(run.outcome != nil)),
                    ("attempts", run.attempts.map { .number(Double($0)) } ?? .null),
                    ("on_failure_job", run.onFailureJob.map { .string($0.rawValue) } ?? .null),
                    ("on_failure_error", run.onFailureError.map(JSONValue.string) ?? .null),
                ])
            }
            members.append(("runs", .array(entries)))
        }
        return JSONValue(members: members)
    }
}

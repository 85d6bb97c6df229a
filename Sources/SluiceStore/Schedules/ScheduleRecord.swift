public import SluiceCore

/// A schedule as read back from `P:schedule:<name>`: its definition and where it stands.
public struct ScheduleRecord: Sendable, Equatable {
    public var definition: ScheduleDefinition
    /// Bumped by every change of the definition, pause or resume: what firing compares against.
    public var version: Int
    /// Milliseconds since the epoch, Redis's clock.
    public var createdAt: Int64
    /// The last change (set, resume): only ticks after it fire.
    public var updatedAt: Int64
    /// The last tick fired or skipped, in whole seconds since the epoch.
    public var lastTick: Int64?
    /// The job (or flow) the last fired tick started.
    public var lastJob: JobID?
    public var lastFiredAt: Int64?
    /// When the schedule is next due (ms), while it is enabled and has a next tick.
    public var nextDue: Int64?
    /// Ticks fired (catch-ups included), skipped (no-overlap), and fired as catch-ups.
    public var fired: Int
    public var skipped: Int
    public var catchUps: Int

    public var name: String { definition.name }

    /// Reads a schedule from its hash fields; `nil` when required fields are missing.
    public init?(fields: [String: String]) {
        guard let definition = ScheduleDefinition(fields: fields), let version = fields["version"].flatMap({ Int($0) }) else { return nil }
        self.definition = definition
        self.version = version
        createdAt = fields["created_at"].flatMap { Int64($0) } ?? 0
        updatedAt = fields["updated_at"].flatMap { Int64($0) } ?? 0
        lastTick = fields["last_tick"].flatMap { Int64($0) }
        lastJob = fields["last_job"].flatMap(JobID.init)
        lastFiredAt = fields["last_fired_at"].flatMap { Int64($0) }
        nextDue = fields["next_due"].flatMap { Int64($0) }
        fired = fields["fired"].flatMap { Int($0) } ?? 0
        skipped = fields["skipped"].flatMap { Int($0) } ?? 0
        catchUps = fields["catch_ups"].flatMap { Int($0) } ?? 0
    }

    /// The fields a run started by this schedule at `tick` carries in its job hash: which schedule
    /// and tick started it, the on-failure handler, and — for a script — its retry delays and its
    /// attempt number. `finish_job` reads `schedule` to have the run settled.
    public func runFields(tick: Int64, retries: Bool) -> [(String, String)] {
        var fields = [(ScheduledRunField.schedule, definition.name), (ScheduledRunField.tick, String(tick))]
        if let onFailure = definition.onFailure { fields.append((ScheduledRunField.onFailure, onFailure)) }
        if retries, !definition.retryDelays.isEmpty {
            fields.append((ScheduledRunField.retryDelays, JSONValue.array(definition.retryDelays.map { .number(Double($0)) }).jsonText))
            fields.append((ScheduledRunField.attempt, "1"))
        }
        return fields
    }
}

/// Fields of a job hash that a schedule started (docs/redis-keys.md).
public enum ScheduledRunField {
    /// The schedule that started the run; makes `finish_job` queue the run to be settled.
    public static let schedule = "schedule"
    /// The tick id (seconds since the epoch) that started it.
    public static let tick = "schedule_tick"
    /// The on-failure handler's path, as the schedule said when the tick fired.
    public static let onFailure = "on_failure"
    /// JSON array: ms to wait before each retry.
    public static let retryDelays = "retry_delays"
    /// 1-based attempt number.
    public static let attempt = "attempt"
    /// The last failed attempt's error, while a retry waits.
    public static let lastError = "last_error"
    /// On the run: the on-failure job it started.
    public static let onFailureJob = "on_failure_job"
    /// On an on-failure job: the failed run it handles, and that run's schedule.
    public static let onFailureOf = "on_failure_of"
    public static let onFailureFor = "on_failure_for"
}

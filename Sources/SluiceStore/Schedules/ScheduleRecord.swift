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

    /// The fields of a schedule's hash (`P:schedule:<name>`), as stored: its definition
    /// (``ScheduleDefinition``) and where it stands. The Lua prelude carries them as
    /// `SCHEDULE.<stored name>`.
    public enum Field: String, CaseIterable, Sendable {
        case name
        case path
        case cron
        case timeZone = "timezone"
        case arguments = "args"
        case queue
        case createdBy = "created_by"
        /// `1` enabled, `0` paused.
        case enabled
        /// `1`: a tick whose previous run has not finished is skipped.
        case noOverlap = "no_overlap"
        case onFailure = "on_failure"
        case retry
        case retryDelays = "retry_delays"
        /// Bumped by every set, pause and resume.
        case version
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastTick = "last_tick"
        case lastJob = "last_job"
        case lastFiredAt = "last_fired_at"
        case nextDue = "next_due"
        /// Counters: ticks fired, skipped, fired as catch-ups.
        case fired
        case skipped
        case catchUps = "catch_ups"
    }

    /// Reads a schedule from its hash fields; `nil` when required fields are missing.
    public init?(fields: [String: String]) {
        guard let definition = ScheduleDefinition(fields: fields), let version = fields[Field.version.rawValue].flatMap({ Int($0) }) else {
            return nil
        }
        self.definition = definition
        self.version = version
        createdAt = fields[Field.createdAt.rawValue].flatMap { Int64($0) } ?? 0
        updatedAt = fields[Field.updatedAt.rawValue].flatMap { Int64($0) } ?? 0
        lastTick = fields[Field.lastTick.rawValue].flatMap { Int64($0) }
        lastJob = fields[Field.lastJob.rawValue].flatMap(JobID.init)
        lastFiredAt = fields[Field.lastFiredAt.rawValue].flatMap { Int64($0) }
        nextDue = fields[Field.nextDue.rawValue].flatMap { Int64($0) }
        fired = fields[Field.fired.rawValue].flatMap { Int($0) } ?? 0
        skipped = fields[Field.skipped.rawValue].flatMap { Int($0) } ?? 0
        catchUps = fields[Field.catchUps.rawValue].flatMap { Int($0) } ?? 0
    }

    /// The fields a run started by this schedule at `tick` carries in its job hash: which schedule
    /// and tick started it, the on-failure handler, and — for a script — its retry delays and its
    /// attempt number. `finish_job` reads `schedule` to have the run settled.
    public func runFields(tick: Int64, retries: Bool) -> [(String, String)] {
        typealias Run = JobRecord.Field
        var fields = [(Run.schedule.rawValue, definition.name), (Run.scheduleTick.rawValue, String(tick))]
        if let onFailure = definition.onFailure { fields.append((Run.onFailure.rawValue, onFailure)) }
        if retries, !definition.retryDelays.isEmpty {
            fields.append((Run.retryDelays.rawValue, JSONValue.array(definition.retryDelays.map { .number(Double($0)) }).jsonText))
            fields.append((Run.attempt.rawValue, "1"))
        }
        return fields
    }
}

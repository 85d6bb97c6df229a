public import SluiceCore

/// One entry of a schedule's recent runs (`P:schedule:<name>:runs`), newest first.
public struct ScheduleRun: Sendable, Equatable {
    /// How a tick was handled (the Lua prelude carries these as `SCHEDULE_RUN_KIND.<name>`).
    public enum Kind: String, CaseIterable, Sendable {
        /// Fired on time.
        case fired
        /// Fired after missed ticks (a scheduler was down or late); ``ScheduleRun/missed`` says how many.
        case catchUp = "catch_up"
        /// Not fired: the previous run was still going (`no_overlap`); ``ScheduleRun/job`` is that run.
        case skipped
    }

    /// The tick id: whole seconds since the epoch.
    public var tick: Int64
    /// When the tick was handled (ms, Redis's clock).
    public var handledAt: Int64
    public var kind: Kind
    /// Due ticks passed over for this one (up to 100 counted).
    public var missed: Int
    /// The run's job or flow (for a skipped tick: the run still going).
    public var job: JobID?
    /// The run's final state once a scheduler settled it.
    public var outcome: String?
    public var finishedAt: Int64?
    public var attempts: Int?
    /// The on-failure run started after this one failed.
    public var onFailureJob: JobID?
    /// Why the on-failure handler could not start.
    public var onFailureError: String?

    /// How late the tick was handled, in ms.
    public var lateness: Int64 { handledAt - tick * 1000 }

    init?(json: JSONValue) {
        guard let tick = json["tick"]?.numberValue, let handledAt = json["at"]?.numberValue,
            let kind = json["kind"]?.stringValue.flatMap(Kind.init(rawValue:))
        else { return nil }
        self.tick = Int64(tick)
        self.handledAt = Int64(handledAt)
        self.kind = kind
        missed = json["missed"]?.intValue ?? 0
        job = json["job"]?.stringValue.flatMap(JobID.init)
        outcome = json["outcome"]?.stringValue
        finishedAt = json["finished_at"]?.numberValue.map { Int64($0) }
        attempts = json["attempts"]?.intValue
        onFailureJob = json["on_failure_job"]?.stringValue.flatMap(JobID.init)
        onFailureError = json["on_failure_error"]?.stringValue
    }
}

public import SluiceCore

/// A finished scheduled run as a scheduler settles it with `settle_schedule_run`: the run, its
/// schedule, and the on-failure run to start if it failed.
public struct RunSettlement: Sendable {
    public var job: JobID
    public var schedule: String
    /// What to start when the run failed; `nil` when there is no handler (or it cannot start).
    public var onFailure: RunStart?
    /// Why the on-failure handler cannot start (no script or flow at its path…), recorded on the run.
    public var onFailureError: String?

    public init(job: JobID, schedule: String, onFailure: RunStart? = nil, onFailureError: String? = nil) {
        self.job = job
        self.schedule = schedule
        self.onFailure = onFailure
        self.onFailureError = onFailureError
    }
}

/// What a schedule runs at a path: a flow (checked first, as `sluice run` does), a script, or nothing.
public enum RunTarget: Sendable, Equatable {
    case flow(StoredFlow)
    case script(hash: String, language: ScriptLanguage)
    case missing
}

/// What a job runs. Stored in the job hash's `kind` field; the Lua scripts name it `JOB_KIND.<value>`.
public enum JobKind: String, CaseIterable, Sendable, Codable {
    /// A pushed script (bash or python3) run as a process.
    case script
    /// Returns its arguments; runs no process. Used by benchmarks and by `identity` flow modules.
    case identity
    /// A flow: its own hash holds the flow's state; its steps are jobs of their own.
    case flow
    /// One module of a flow.
    case step
    /// An event that moves a flow on (a gate decided, a timeout fired); handled by a worker.
    case flowEvent = "flow_event"
}

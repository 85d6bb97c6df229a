import SluiceCore
import SluiceExecution
import SluiceRuntime

/// What running a job produced, to report.
enum Execution: Sendable {
    /// A script or identity job's outcome and logs.
    case plain(JobOutcome, logs: String)
    /// A flow step, reported through the flow runtime with what it began from.
    case step(StepBeginning, FlowEngine.StepReport)
    /// A flow event: reporting it moves the flow.
    case event
    /// The worker is stopping (or lost Redis before it could start): hand the job back.
    case handBack
}

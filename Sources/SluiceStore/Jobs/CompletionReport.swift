public import SluiceCore

/// How one delivery of a job ended, as a worker reports it: the job as it was taken (its id and
/// delivery, the fencing token), its outcome as stored and its logs (already capped).
public struct CompletionReport: Sendable {
    /// The job as the worker took it.
    public let job: JobRecord
    /// `success` or `failure`.
    public let state: String
    /// The result JSON or the error text, encoded once.
    public let payload: String
    /// What the job printed (already capped and redacted).
    public let logs: String

    public init(job: JobRecord, outcome: JobOutcome, logs: String) {
        self.job = job
        self.state = outcome.state
        self.payload = outcome.payload
        self.logs = logs
    }

    /// The bytes it adds to a report call (its payload and logs).
    public var size: Int { payload.utf8.count + logs.utf8.count }
}

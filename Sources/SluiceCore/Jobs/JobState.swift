/// Where a job is in its life. Stored in the job hash's `state` field under these raw values.
public enum JobState: String, Sendable, CaseIterable, Codable {
    /// Waiting in its queue's list for a worker.
    case queued
    /// Waiting in the delayed set until its run-at time.
    case scheduled
    /// Taken by a worker, under a lease.
    case running
    /// A flow parked at an approval gate.
    case suspended
    /// Finished with a result.
    case success
    /// Finished with an error.
    case failure
    /// Stopped by an operator or by a gate that was rejected or timed out.
    case canceled

    /// Whether the job is finished for good.
    public var isFinal: Bool {
        switch self {
        case .success, .failure, .canceled: true
        case .queued, .scheduled, .running, .suspended: false
        }
    }
}

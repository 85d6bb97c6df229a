/// Settings every process shares for the store: retention of finished jobs and the size of the
/// per-queue finished index.
public struct StoreSettings: Sendable, Equatable {
    /// How long a finished job (hash and logs) is kept, in seconds. Default 7 days.
    public var retentionSeconds: Int
    /// How many finished job ids each queue's index keeps.
    public var finishedIndexCap: Int

    public init(retentionSeconds: Int = 7 * 24 * 3600, finishedIndexCap: Int = 1000) {
        self.retentionSeconds = retentionSeconds
        self.finishedIndexCap = finishedIndexCap
    }
}

/// How the resumer serves triggers (webhooks and HTTP routes).
public struct TriggerSettings: Sendable {
    /// How long a synchronous request (`run_wait_result`, a route that waits) waits for its run
    /// before answering `202` with where to read the result.
    public var syncWait: Duration
    /// Synchronous requests waiting at once; more are answered `503` at once.
    public var maxWaiting: Int
    /// How long a delivery's idempotency key is remembered by default, in seconds.
    public var idempotencyWindow: Int

    public init(syncWait: Duration = .seconds(60), maxWaiting: Int = 64, idempotencyWindow: Int = 86_400) {
        self.syncWait = syncWait
        self.maxWaiting = maxWaiting
        self.idempotencyWindow = idempotencyWindow
    }
}

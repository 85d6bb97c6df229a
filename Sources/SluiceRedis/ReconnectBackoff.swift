/// The waits between attempts to reach a Redis that went away: doubling from `initial` up to
/// `maximum`, and back to `initial` after a success.
public struct ReconnectBackoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private var next: Duration

    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
        self.next = initial
    }

    /// The wait before the next attempt; each call doubles the one after.
    public mutating func nextDelay() -> Duration {
        let delay = next
        next = min(next * 2, maximum)
        return delay
    }

    /// Call after an attempt succeeded.
    public mutating func reset() {
        next = initial
    }
}

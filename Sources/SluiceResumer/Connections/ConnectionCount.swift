import Synchronization

/// The connections the resumer holds open, counted across all its event loops, against the
/// `--max-connections` limit.
final class ConnectionCount: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; whether it fits under the limit (one that does not is still
    /// counted until ``release()``: it holds a descriptor while it is answered).
    func admit() -> Bool {
        open.add(1, ordering: .relaxed).newValue <= limit
    }

    /// A counted connection closed.
    func release() {
        open.subtract(1, ordering: .relaxed)
    }

    /// Connections open now.
    var current: Int { open.load(ordering: .relaxed) }
}

import Synchronization

/// Lends worker slots while jobs wait. A job that waits for a job it started (a synchronous
/// `run_script_by_path`) holds a process but does no work: its slot is lent — the worker runs one
/// more slot until the wait ends — so a worker at concurrency 1 runs the callee of a script that
/// waits for it instead of deadlocking. At most ``limit`` loans at once (then a wait keeps its
/// slot): each waiting job is still a process in memory.
final class SlotLender: Sendable {
    /// One lent slot: active until the wait that asked for it ends.
    final class Loan: Sendable {
        private let active = Atomic<Bool>(true)
        private let lender: SlotLender

        fileprivate init(lender: SlotLender) {
            self.lender = lender
        }

        var isActive: Bool { active.load(ordering: .acquiring) }

        /// The wait ended: the extra slot finishes the job it runs, if any, and stops.
        func end() {
            if active.exchange(false, ordering: .acquiringAndReleasing) { lender.returned() }
        }
    }

    let limit: Int
    /// The loans to serve, for the worker's slot group.
    let loans: AsyncStream<Loan>
    private let continuation: AsyncStream<Loan>.Continuation
    private let state = Mutex<(out: Int, closed: Bool)>((0, false))

    init(limit: Int) {
        self.limit = max(0, limit)
        (loans, continuation) = AsyncStream<Loan>.makeStream(bufferingPolicy: .unbounded)
    }

    /// A new loan, or `nil` at the limit (or once the worker stops).
    func lend() -> Loan? {
        let granted = state.withLock { state -> Bool in
            guard !state.closed, state.out < limit else { return false }
            state.out += 1
            return true
        }
        guard granted else { return nil }
        let loan = Loan(lender: self)
        continuation.yield(loan)
        return loan
    }

    /// Loans out now.
    var outstanding: Int { state.withLock { $0.out } }

    /// No more loans (the worker stops taking jobs).
    func close() {
        state.withLock { $0.closed = true }
        continuation.finish()
    }

    fileprivate func returned() {
        state.withLock { $0.out -= 1 }
    }
}

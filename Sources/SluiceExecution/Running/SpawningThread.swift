import Dispatch
import Foundation
import Synchronization

/// A thread of its own that starts child processes for its owner and lives as long as the owner.
///
/// A child that asks to die with its parent (bubblewrap's `--die-with-parent`: `PR_SET_PDEATHSIG`)
/// dies when the *thread* that started it ends, not the process — and the threads of dispatch's
/// and Swift's pools end when they have been idle a while. A long-lived helper started from such a
/// thread would be killed some seconds later, between two uses; started here, it dies only when
/// this thread ends: when the owner stops it, or with the process.
final class SpawningThread: Sendable {
    struct Stopped: Error, CustomStringConvertible {
        var description: String { "the thread that starts processes has stopped" }
    }

    /// The work waiting for the thread, shared with it.
    private final class Inbox: Sendable {
        struct Queue {
            var work: [@Sendable () -> Void] = []
            var stopped = false
        }
        let queue = Mutex(Queue())
        let wake = DispatchSemaphore(value: 0)

        /// Adds `work` unless stopped; says whether it did.
        func add(_ work: @escaping @Sendable () -> Void) -> Bool {
            let added = queue.withLock { queue -> Bool in
                guard !queue.stopped else { return false }
                queue.work.append(work)
                return true
            }
            if added { wake.signal() }
            return added
        }

        /// The thread's loop: runs what is queued until stopped.
        func serve() {
            while true {
                wake.wait()
                let (work, stopped) = queue.withLock { queue in
                    defer { queue.work = [] }
                    return (queue.work, queue.stopped)
                }
                for item in work { item() }
                if stopped { return }
            }
        }

        func stop() {
            let first = queue.withLock { queue -> Bool in
                defer { queue.stopped = true }
                return !queue.stopped
            }
            if first { wake.signal() }
        }
    }

    /// What one call is waiting for.
    private final class Outcome<Value: Sendable>: Sendable {
        let value = Mutex<Result<Value, any Error>>(.failure(Stopped()))
        let done = DispatchSemaphore(value: 0)
    }

    private let inbox = Inbox()

    init(name: String) {
        let thread = Thread { [inbox] in inbox.serve() }
        thread.name = name
        thread.start()
    }

    deinit { inbox.stop() }

    /// Runs `work` on this thread and waits for it (the caller blocks: never call it from the
    /// cooperative pool or an event loop).
    func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) throws -> Value {
        let outcome = Outcome<Value>()
        let queued = inbox.add {
            outcome.value.withLock { $0 = Result { try work() } }
            outcome.done.signal()
        }
        guard queued else { throw Stopped() }
        outcome.done.wait()
        return try outcome.value.withLock { $0 }.get()
    }

    /// Runs `work` on this thread; the calling task waits without blocking its thread.
    func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let queued = inbox.add { continuation.resume(with: Result { try work() }) }
            if !queued { continuation.resume(throwing: Stopped()) }
        }
    }

    /// Ends the thread once the work queued so far has run (what it started with a death signal
    /// then gets it).
    func stop() { inbox.stop() }
}

import SluiceCore
import Synchronization

/// The jobs this worker process is running right now: what the heartbeat renews, and how it stops
/// a job that was canceled or handed back elsewhere.
final class InFlightJobs: Sendable {
    private struct Entry {
        var delivery: Int
        var killer: ProcessKiller
    }

    private let entries = Mutex<[JobID: Entry]>([:])

    func add(_ id: JobID, delivery: Int, killer: ProcessKiller) {
        entries.withLock { $0[id] = Entry(delivery: delivery, killer: killer) }
    }

    func remove(_ id: JobID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// Every held job with its delivery, for the heartbeat.
    var held: [(JobID, Int)] {
        entries.withLock { $0.map { ($0.key, $0.value.delivery) } }
    }

    /// Kills the process of a job the worker no longer holds.
    func kill(_ id: JobID, reason: ProcessKiller.Reason) {
        let killer = entries.withLock { $0[id]?.killer }
        killer?.kill(reason)
    }

    /// Kills every running process (the worker is being stopped for good).
    func killAll(reason: ProcessKiller.Reason) {
        let killers = entries.withLock { $0.values.map(\.killer) }
        for killer in killers { killer.kill(reason) }
    }
}

import SluiceCore
import SluiceExecution
import Synchronization

/// The jobs this worker process is running right now: what the heartbeat renews, and how it stops
/// a job that was canceled or handed back elsewhere.
///
/// Runs are tracked by job id AND delivery: after a stall longer than the lease, the same job can
/// be handed back and taken again by this very worker while its first run still ends. A report
/// about delivery 1 (renewed, lost, finished) must never touch delivery 2.
final class InFlightJobs: Sendable {
    /// One run of a job.
    struct Run: Hashable, Sendable {
        var id: JobID
        var delivery: Int
    }

    private let entries = Mutex<[Run: ProcessKiller]>([:])

    func add(_ run: Run, killer: ProcessKiller) {
        entries.withLock { $0[run] = killer }
    }

    func remove(_ run: Run) {
        _ = entries.withLock { $0.removeValue(forKey: run) }
    }

    /// Every held run, for the heartbeat.
    var held: [Run] {
        entries.withLock { Array($0.keys) }
    }

    /// Kills the process of a run the worker no longer holds.
    func kill(_ run: Run, reason: ProcessKiller.Reason) {
        let killer = entries.withLock { $0[run] }
        killer?.kill(reason)
    }

    /// Kills every running process (the worker is being stopped for good).
    func killAll(reason: ProcessKiller.Reason) {
        let killers = entries.withLock { Array($0.values) }
        for killer in killers { killer.kill(reason) }
    }
}

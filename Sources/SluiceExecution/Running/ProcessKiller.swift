import Glibc
import Synchronization

/// Kills a running script's whole process group, once, and remembers why — a timeout or a
/// cancellation seen by the heartbeat — so the run can report it.
public final class ProcessKiller: Sendable {
    /// Why a process was killed.
    public enum Reason: Sendable, Equatable {
        case timedOut(seconds: Int)
        case canceled
        case shuttingDown
    }

    private struct State {
        var processGroup: pid_t?
        var action: (@Sendable () -> Void)?
        var reason: Reason?
    }

    private let state = Mutex(State())

    public init() {}

    /// Kills the job when `timeout` has passed (as `.timedOut`), unless the returned task is
    /// canceled first — which the caller does when the job has ended.
    func timer(_ timeout: Duration) -> Task<Void, any Error> {
        let seconds = Int(timeout.components.seconds)
        return Task {
            try await Task.sleep(for: timeout)
            self.kill(.timedOut(seconds: seconds))
        }
    }

    /// Records the process group to kill; kills it at once if a kill was already asked for.
    func attach(processGroup: pid_t) {
        let killNow = state.withLock { state -> Bool in
            state.processGroup = processGroup
            return state.reason != nil
        }
        if killNow { Glibc.kill(-processGroup, SIGKILL) }
    }

    /// Records how to kill a job a warm runner runs (its process lives in the runner's namespace);
    /// kills it at once if a kill was already asked for.
    func attach(kill action: @escaping @Sendable () -> Void) {
        let killNow = state.withLock { state -> Bool in
            state.action = action
            return state.reason != nil
        }
        if killNow { action() }
    }

    /// After the script's main process has exited: kills what it left in its process group (a
    /// background child, say), then forgets the group. While any member lives, the kernel does not
    /// reuse the group's id, so the signal reaches only the script's own leftovers.
    func finish() {
        let group = state.withLock { state -> pid_t? in
            defer {
                state.processGroup = nil
                state.action = nil
            }
            return state.processGroup
        }
        if let group { Glibc.kill(-group, SIGKILL) }
    }

    /// Kills the process group (if any) with SIGKILL; the first reason given wins.
    public func kill(_ reason: Reason) {
        let (group, action) = state.withLock { state -> (pid_t?, (@Sendable () -> Void)?) in
            if state.reason == nil { state.reason = reason }
            return (state.processGroup, state.action)
        }
        if let group { Glibc.kill(-group, SIGKILL) }
        action?()
    }

    /// Why the process was killed, if it was.
    public var reason: Reason? {
        state.withLock { $0.reason }
    }
}

import Foundation
import Synchronization

/// The warm runners of one worker process: a fork server per interpreter (a virtualenv's python
/// counts as its own), started on first use and restarted when it dies; and dedicated processes per
/// script version, each running one job at a time, checked out for a job and back in after it
/// (not when the job crashed it or was killed), at most ``idleLimit`` kept idle (oldest ended first).
final class WarmRunners: Sendable {
    private struct State {
        var servers: [String: WarmRunner] = [:]
        var idle: [(key: String, runner: WarmRunner)] = []
        var unavailable: String?
    }

    let idleLimit: Int
    private let state = Mutex(State())

    init(idleLimit: Int = 16) {
        self.idleLimit = idleLimit
    }

    /// Why warm runners cannot be used here (no Landlock ABI 6 under the sandbox), once known.
    var unavailable: String? { state.withLock { $0.unavailable } }

    func markUnavailable(_ reason: String) {
        state.withLock { $0.unavailable = reason }
    }

    /// The live fork server for `key`, started with `start` when there is none.
    func forkServer(_ key: String, start: () async throws -> WarmRunner) async throws -> WarmRunner {
        if let running = state.withLock({ $0.servers[key] }), running.isAlive { return running }
        let started = try await start()
        let (chosen, extra) = state.withLock { state -> (WarmRunner, WarmRunner?) in
            if let other = state.servers[key], other.isAlive { return (other, started) }
            state.servers[key] = started
            return (started, nil)
        }
        extra?.terminate()
        return chosen
    }

    /// An idle dedicated process for `key`, or a new one from `start`; give it back with ``checkIn(_:runner:)``.
    func checkOut(_ key: String, start: () async throws -> WarmRunner) async throws -> WarmRunner {
        let idle = state.withLock { state -> WarmRunner? in
            guard let index = state.idle.lastIndex(where: { $0.key == key && $0.runner.isAlive }) else { return nil }
            return state.idle.remove(at: index).runner
        }
        if let idle { return idle }
        return try await start()
    }

    /// Puts a dedicated process back for the next job of its script version.
    func checkIn(_ key: String, runner: WarmRunner) {
        guard runner.isAlive else { return }
        let evicted = state.withLock { state -> [WarmRunner] in
            state.idle.append((key, runner))
            var evicted: [WarmRunner] = []
            while state.idle.count > idleLimit { evicted.append(state.idle.removeFirst().runner) }
            return evicted
        }
        for runner in evicted { runner.terminate() }
    }

    /// Ends every runner (the worker is stopping).
    func terminateAll() {
        let all = state.withLock { state -> [WarmRunner] in
            defer {
                state.servers = [:]
                state.idle = []
            }
            return Array(state.servers.values) + state.idle.map(\.runner)
        }
        for runner in all { runner.terminate() }
    }
}

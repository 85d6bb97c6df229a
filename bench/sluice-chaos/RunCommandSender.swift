import Foundation
import SluiceTesting
import Synchronization

/// Starts runs with `sluice run PATH` at a steady rate — runs started from the command line across
/// a failover — on threads of its own (so a command held up by the failover does not hold up the
/// next one), keeping each command's ending by its index.
final class RunCommandSender: Sendable {
    private let commands: ChaosCommands
    private let path: String
    private let times: [ContinuousClock.Instant]
    private let threads: Int
    private let state: Mutex<State>

    private struct State {
        var endings: [ProgramRun?]
        var finishedThreads = 0
        var stopped = false
    }

    /// One `sluice run path` at each of `times`, spread over `threads` threads.
    init(commands: ChaosCommands, path: String, times: [ContinuousClock.Instant], threads: Int = 2) {
        self.commands = commands
        self.path = path
        self.times = times
        self.threads = max(1, threads)
        state = Mutex(State(endings: Array(repeating: nil, count: times.count)))
    }

    func start() {
        for first in 0..<threads {
            let thread = Thread { [self] in send(from: first) }
            thread.name = "chaos.sluice-run.\(first)"
            thread.start()
        }
    }

    /// Sends nothing more (the commands under way end by themselves).
    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Whether every thread has sent its share (or stopped).
    var isDone: Bool {
        state.withLock { $0.finishedThreads == threads }
    }

    /// Each command's ending, by index: nil when it was never sent or could not be started.
    var endings: [ProgramRun?] {
        state.withLock { $0.endings }
    }

    private func send(from first: Int) {
        for index in stride(from: first, to: times.count, by: threads) {
            if state.withLock({ $0.stopped }) { break }
            let wait = times[index] - ContinuousClock.now
            if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18) }
            let ending = try? commands.run("sluice", ["run", path])
            state.withLock { $0.endings[index] = ending }
        }
        state.withLock { $0.finishedThreads += 1 }
    }
}

import Foundation
import Synchronization

/// HTTP requests sent by a pool of threads, each request retried on a fresh connection until the
/// server gives it an answer (the resumer may be SIGKILLed under it), and not before its
/// `notBefore` time. What each request finally got is kept by its `key`.
final class RequestStorm: Sendable {
    /// One request: its bytes, who it is for (`key`), when it may go; with `abandonFirst`, the
    /// first attempt hangs up right after sending, as a client whose answer was lost would.
    struct Item: Sendable {
        var key: String
        var bytes: [UInt8]
        var notBefore: ContinuousClock.Instant
        var abandonFirst = false
    }

    /// The final answer to a request and how many attempts it took.
    struct Outcome: Sendable {
        var status: Int
        var body: String
        var attempts: Int
    }

    private struct State {
        var items: [Item]
        var next = 0
        var outcomes: [String: Outcome] = [:]
        var finishedThreads = 0
        var stopped = false
    }

    private let state: Mutex<State>
    let port: Int
    let threads: Int

    /// `items` go out in `notBefore` order.
    init(port: Int, items: [Item], threads: Int) {
        self.port = port
        self.threads = threads
        state = Mutex(State(items: items.sorted { $0.notBefore < $1.notBefore }))
    }

    /// Starts the threads; ``isDone`` says when every request has its answer.
    func start() {
        for index in 0..<threads {
            let thread = Thread { [self] in
                self.serve()
                self.state.withLock { $0.finishedThreads += 1 }
            }
            thread.name = "chaos.storm.\(index)"
            thread.start()
        }
    }

    var isDone: Bool { state.withLock { $0.finishedThreads == threads } }

    /// Sends nothing more and gives up on requests still waiting for an answer; the threads end soon after.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    var outcomes: [String: Outcome] { state.withLock { $0.outcomes } }

    private func serve() {
        var connection: RawHTTP?
        while let item = state.withLock({ state -> Item? in
            guard !state.stopped, state.next < state.items.count else { return nil }
            defer { state.next += 1 }
            return state.items[state.next]
        }) {
            let wait = item.notBefore - ContinuousClock.now
            if wait > .zero { Thread.sleep(forTimeInterval: Format.milliseconds(wait) / 1000) }
            var attempts = 0
            if item.abandonFirst, let dropped = try? RawHTTP(port: port) {
                attempts += 1
                dropped.send(item.bytes)
                Thread.sleep(forTimeInterval: 0.1)
            }
            let giveUp = ContinuousClock.now + .seconds(60)
            while true {
                attempts += 1
                if connection == nil { connection = try? RawHTTP(port: port) }
                guard let open = connection else {
                    if ContinuousClock.now > giveUp || stopped { break }
                    Thread.sleep(forTimeInterval: 0.05)
                    continue
                }
                let answer = open.exchange(item.bytes)
                if answer.status == 0 || answer.closed { connection = nil }
                // No answer (the resumer died under the request) or 503 (Redis away, shedding): retry.
                if answer.status == 0 || answer.status == 503 {
                    if ContinuousClock.now > giveUp || stopped { break }
                    Thread.sleep(forTimeInterval: 0.05)
                    continue
                }
                state.withLock { $0.outcomes[item.key] = Outcome(status: answer.status, body: answer.body, attempts: attempts) }
                break
            }
        }
    }
}

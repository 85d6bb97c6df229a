import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting
import Synchronization

/// Scenario 7, bad input at volume against a running resumer: random, forged, truncated and
/// edited links, other gates' tokens, malformed, oversized and mistyped bodies, wrong methods,
/// very long URLs, garbage, and slow clients holding connections. Every answer must be a 4xx
/// (counted by status), the resumer must stay up and keep answering good requests (approval
/// pages) about as fast as before, and a dump of every key before and after must be identical.
struct BadInputScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL
    static let threads = 4

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(
            name: "7-bad-input", title: "\(scale.badRequests) bad requests and \(scale.slowClients) slow clients against the resumer")
        let cluster = try ChaosCluster(binaries: binaries, directory: directory)
        defer { cluster.stopAll() }
        let links = try parkGates(cluster)
        let port = try RedisServer.freePort()
        // Short connection timeouts, so the slow clients are seen closed within the storm.
        try cluster.start(
            "resumer-1", executable: "resumer",
            ["--port", String(port), "--public-url", "http://127.0.0.1:\(port)", "--idle-timeout", "4", "--read-timeout", "3"])
        try waitForHealth(port: port)
        let before = try KeyDump(try cluster.connect())
        report.figure("keys in Redis", before.values.count)

        let good = links.map { RawHTTP.request("GET", $0.page, headers: [("Accept", "text/html")]) }
        let baseline = try Self.latencies(port: port, requests: good, count: 300)
        report.figure("good request (approval page) before the storm", Percentiles(baseline).text(unit: "ms"))

        let storm = BadStorm(port: port, links: links, total: scale.badRequests, threads: Self.threads, seed: random.next())
        let slow = SlowClients(port: port, count: scale.slowClients)
        slow.start()
        let started = ContinuousClock.now
        storm.start()
        var during: [Double] = []
        while !storm.isDone {
            during += (try? Self.latencies(port: port, requests: good, count: 10)) ?? []
            Thread.sleep(forTimeInterval: 0.05)
        }
        let elapsed = ContinuousClock.now - started
        let slowClosed = slow.stop(waitingUpTo: .seconds(8))
        report.figure("bad requests sent", "\(storm.sent) in \(Format.seconds(elapsed)) s")
        report.figure("answers by status", storm.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        report.figure("connections closed without an answer (unparseable requests only)", storm.closedUnanswered)
        report.figure("by kind", storm.kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "))
        report.figure("good request during the storm", Percentiles(during).text(unit: "ms"))
        report.figure("slow clients the resumer closed (idle timeout 4 s, read timeout 3 s)", "\(slowClosed) of \(scale.slowClients)")
        if slowClosed < scale.slowClients { report.problem("\(scale.slowClients - slowClosed) slow clients were still holding a connection") }
        for problem in storm.problems.prefix(20) { report.problem(problem) }
        let duringP99 = Percentiles(during).percentile(99)
        let baselineP99 = Percentiles(baseline).percentile(99)
        if during.isEmpty || duringP99 > max(10 * baselineP99, 100) {
            report.problem("good requests slowed down: p99 \(Int(duringP99)) ms during the storm against \(Int(baselineP99)) ms before")
        }
        if cluster.process("resumer-1") == nil { report.problem("the resumer died") }
        if (try? waitForHealth(port: port)) == nil { report.problem("the resumer no longer answers /healthz") }
        let after = try KeyDump(try cluster.connect())
        let changed = after.differences(from: before)
        report.figure("keys changed by the storm", changed.count)
        if !changed.isEmpty { report.problem("keys changed: \(changed.prefix(10).joined(separator: ", "))") }
        return report
    }

    /// Parks a few flows at gates whose form requires a field no bad request sets (one of them
    /// `hide_cancel`), then stops the worker and the scheduler so nothing else writes.
    private func parkGates(_ cluster: ChaosCluster) throws -> [BadInput.Link] {
        let connection = try cluster.connect()
        let engine = FlowEngine(flows: FlowStore(keys: cluster.keys))
        for hide in [false, true] {
            guard let path = ScriptPath("f/chaos/strict\(hide ? "_hidden" : "")") else { throw ChaosFailure("bad path") }
            let yaml = """
                summary: chaos strict gate
                value:
                  modules:
                    - id: ask
                      value: {type: identity}
                      suspend:
                        required_events: 1
                        timeout: 86400
                        hide_cancel: \(hide)
                        resume_form:
                          schema:
                            type: object
                            properties:
                              confirm: {type: string, enum: [c0nf1rm-n3ver-sent]}
                              note: {type: string}
                            required: [confirm]
                    - id: done
                      value: {type: identity}
                """
            _ = try engine.push(path: path, text: yaml, on: connection)
        }
        try cluster.start("scheduler-1", executable: "scheduler", [])
        try cluster.startWorker("worker-1", ["--concurrency", "4", "--lease", "600"])
        var flows: [JobID] = []
        for index in 0..<20 {
            let id = JobID.generate()
            try engine.start(
                FlowEngine.Start(id: id, path: index == 0 ? "f/chaos/strict_hidden" : "f/chaos/strict", input: ["i": .number(Double(index))]),
                on: connection)
            flows.append(id)
        }
        let store = JobStore(keys: cluster.keys)
        let gates = GateStore(keys: cluster.keys)
        var links: [BadInput.Link] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while links.count < flows.count, ContinuousClock.now < deadline {
            links = []
            for flow in flows {
                guard let job = try store.job(flow, on: connection), job.state == .suspended, let id = job.extra["gate"].flatMap(JobID.init),
                    let gate = try gates.gate(id, on: connection), gate.state == .open
                else { continue }
                let subject = ResumeLinkSubject.named("alice")
                let token = GateSecret.token(mintingKey: GateSecret.mintingKey(secret: gate.secret), subject: subject.signedText)
                links.append(BadInput.Link(gate: id.rawValue, subject: subject.pathSegment, token: token, hideCancel: gate.hideCancel))
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard links.count == flows.count else { throw ChaosFailure("only \(links.count) of \(flows.count) flows parked") }
        for name in ["worker-1", "scheduler-1"] {
            cluster.signal(name, SIGTERM)
            cluster.process(name)?.waitUntilExit()
        }
        return links
    }

    private func waitForHealth(port: Int) throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let connection = try? RawHTTP(port: port, timeout: 2), connection.exchange(RawHTTP.request("GET", "/healthz")).status == 200 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ChaosFailure("the resumer does not answer /healthz")
    }

    /// How long `count` good requests take, one after another on one connection (ms each).
    static func latencies(port: Int, requests: [[UInt8]], count: Int) throws -> [Double] {
        let connection = try RawHTTP(port: port)
        var samples: [Double] = []
        for index in 0..<count {
            let begin = ContinuousClock.now
            let answer = connection.exchange(requests[index % requests.count])
            guard answer.status == 200 else { throw ChaosFailure("a good request got \(answer.status)") }
            samples.append(Format.milliseconds(ContinuousClock.now - begin))
        }
        return samples
    }
}

/// The bad requests, sent by a few threads over keep-alive connections (a new one whenever the
/// server closes one), each thread with its own seeded generator.
final class BadStorm: Sendable {
    private struct State {
        var sent = 0
        var statuses: [Int: Int] = [:]
        var kinds: [String: Int] = [:]
        var closedUnanswered = 0
        var problems: [String] = []
        var finished = 0
    }

    private let state = Mutex(State())
    let port: Int
    let links: [BadInput.Link]
    let total: Int
    let threads: Int
    let seed: UInt64

    init(port: Int, links: [BadInput.Link], total: Int, threads: Int, seed: UInt64) {
        self.port = port
        self.links = links
        self.total = total
        self.threads = threads
        self.seed = seed
    }

    func start() {
        for index in 0..<threads {
            let thread = Thread { [self] in
                self.send(
                    count: self.total / self.threads + (index < self.total % self.threads ? 1 : 0),
                    random: ChaosRandom(seed: self.seed &+ UInt64(index)))
                self.state.withLock { $0.finished += 1 }
            }
            thread.start()
        }
    }

    var isDone: Bool { state.withLock { $0.finished == threads } }
    var sent: Int { state.withLock { $0.sent } }
    var statuses: [Int: Int] { state.withLock { $0.statuses } }
    var kinds: [String: Int] { state.withLock { $0.kinds } }
    var closedUnanswered: Int { state.withLock { $0.closedUnanswered } }
    var problems: [String] { state.withLock { $0.problems } }

    private func send(count: Int, random start: ChaosRandom) {
        var random = start
        var connection: RawHTTP?
        for _ in 0..<count {
            let kind = BadInput.allCases.randomElement(using: &random) ?? .garbage
            let bytes = kind.request(links: links, random: &random)
            if connection == nil { connection = try? RawHTTP(port: port) }
            guard let open = connection else {
                state.withLock { $0.problems.append("cannot connect to the resumer") }
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            let answer = open.exchange(bytes)
            if answer.status == 0 || answer.closed { connection = nil }
            state.withLock { state in
                state.sent += 1
                state.kinds[kind.rawValue, default: 0] += 1
                if answer.status == 0 {
                    state.closedUnanswered += 1
                    if !kind.mayCloseUnanswered { state.problems.append("\(kind.rawValue): the connection closed without an answer") }
                } else {
                    state.statuses[answer.status, default: 0] += 1
                    if !(400..<500).contains(answer.status) { state.problems.append("\(kind.rawValue): answered \(answer.status)") }
                }
            }
        }
    }
}

/// Clients that open connections and then send a request a byte at a time, slower than the
/// resumer's timeouts allow, until stopped: each must be closed by the resumer, not hold it.
final class SlowClients: Sendable {
    private let state = Mutex((stopped: false, closed: 0))
    let port: Int
    let count: Int

    init(port: Int, count: Int) {
        self.port = port
        self.count = count
    }

    func start() {
        let thread = Thread { [self] in self.drip() }
        thread.start()
    }

    /// Waits (up to `patience`) until the resumer has closed every connection, stops dripping,
    /// and returns how many it closed.
    func stop(waitingUpTo patience: Duration) -> Int {
        let deadline = ContinuousClock.now + patience
        while state.withLock({ $0.closed }) < count, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.2) }
        state.withLock { $0.stopped = true }
        Thread.sleep(forTimeInterval: 1.2)
        return state.withLock { $0.closed }
    }

    private func drip() {
        // Half never finish their headers; half send headers announcing a body that never comes.
        let partial = Array("GET /approvals/x/y/z HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
        let announced = Array(
            "POST /approvals/x/y/z/resume HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{".utf8)
        var clients: [(connection: RawHTTP, open: Bool)] = (0..<count).compactMap { index in
            guard let connection = try? RawHTTP(port: port, timeout: 1) else { return nil }
            connection.send(index % 2 == 0 ? partial : announced)
            return (connection, true)
        }
        while !state.withLock({ $0.stopped }) {
            for index in clients.indices where clients[index].open {
                if !clients[index].connection.send([UInt8(ascii: "a")]) || clients[index].connection.isClosed(within: 0) {
                    clients[index].open = false
                    state.withLock { $0.closed += 1 }
                }
            }
            Thread.sleep(forTimeInterval: 1)
        }
        clients.removeAll()
    }
}

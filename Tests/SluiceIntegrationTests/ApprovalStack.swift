import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceExecution
import SluiceFlows
import SluiceRedis
import SluiceResumer
import SluiceScheduler
import SluiceStore
import SluiceTesting
import SluiceWorker
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A worker, a scheduler and a resumer (real HTTP on a free port) around one private
/// redis-server and one key space, for the approval tests.
struct ApprovalStack {
    let harness: WorkerHarness
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var gates: GateStore { GateStore(keys: harness.store.keys) }

    /// Runs `body` with the three services running; stops them afterwards.
    static func with<Result: Sendable>(
        server: RedisServer,
        workerConcurrency: Int = 4,
        acknowledgement: ReplicaAcknowledgement? = nil,
        configure: (inout ResumerSettings) -> Void = { _ in },
        _ body: (ApprovalStack) async throws -> Result
    ) async throws -> Result {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        let logger = Logger(label: "test.resumer")
        let portBox = Mutex<Int?>(nil)
        // Links and the page's forms use the public URL, so the port is chosen first.
        let chosen = try RedisServer.freePort()
        var resumerSettings = ResumerSettings(
            redis: server.configuration, keys: keys, host: "127.0.0.1", port: chosen, publicURL: "http://127.0.0.1:\(chosen)", bodyLimit: 16 * 1024)
        resumerSettings.redis.acknowledgement = acknowledgement
        configure(&resumerSettings)
        let resumer = try Resumer(settings: resumerSettings, logger: logger)
        let application = resumer.application { bound in portBox.withLock { $0 = bound } }
        let serverTask = Task { try await application.run() }
        defer { serverTask.cancel() }
        var port: Int?
        for _ in 0..<500 where port == nil {
            try await Task.sleep(for: .milliseconds(10))
            port = portBox.withLock { $0 }
        }
        let boundPort = try #require(port)
        var settings = harness.settings(concurrency: workerConcurrency, lease: .seconds(5))
        settings.publicURL = "http://127.0.0.1:\(boundPort)"
        settings.redis.acknowledgement = acknowledgement
        let stack = ApprovalStack(harness: harness, port: boundPort)
        return try await harness.withScheduler {
            try await harness.withWorker(settings) { _ in try await body(stack) }
        }
    }

    /// Pushes and starts a flow, then waits until it parks at its gate (or ends).
    func startAndPark(_ yaml: String, input: JSONValue = [:], createdBy: String? = nil) async throws -> (flow: JobID, gate: GateRecord) {
        let id = try harness.startFlow(yaml, input: input, createdBy: createdBy)
        let connection = try harness.server.connect()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let job = try harness.store.job(id, on: connection), job.state == .suspended || job.state.isFinal,
                let gateID = job.extra["gate"].flatMap(JobID.init), let gate = try gates.gate(gateID, on: connection)
            {
                return (id, gate)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("flow \(id) never parked")
        throw FlowRuntimeError("flow never parked")
    }

    /// The result of a flow's module, once recorded.
    func result(of flow: JobID, module: String) throws -> JSONValue? {
        let text = try harness.server.connect().send("HGET", .string(harness.store.keys.flowResults(flow)), .string(module)).string
        return text.flatMap { try? JSONValue(parsing: $0) }
    }

    struct HTTPAnswer {
        let status: Int
        let body: String
        var headers: [String: String] = [:]
        var json: JSONValue? { try? JSONValue(parsing: body) }
    }

    /// One HTTP request to the resumer (or any URL).
    func request(
        _ method: String, _ url: String, body: String? = nil, contentType: String? = "application/json", accept: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> HTTPAnswer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        }
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] { fields[String(describing: name).lowercased()] = String(describing: value) }
        return HTTPAnswer(status: http?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self), headers: fields)
    }

    /// Links for `approver` (or an anonymous one) to a gate, minted as a script would.
    func links(_ gate: GateRecord, approver: String?) -> ResumeLinks {
        ResumeLinks(
            publicURL: baseURL, gate: gate.id.rawValue, subject: approver.map(ResumeLinkSubject.named) ?? .newAnonymous(),
            mintingKey: GateSecret.mintingKey(secret: gate.secret))
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import SluiceCore
import SluiceRedis
import SluiceResumer
import SluiceStore
import SluiceTesting

/// The resumer's routes run in-process — HummingbirdTesting's `.router`, no sockets — against a
/// real redis-server and one key space, for gates seeded straight into Redis (``SeededGate``).
struct RouteHarness: Sendable {
    let server: RedisServer
    let keys: KeySpace
    let registry = PrometheusCollectorRegistry()

    init(server: RedisServer, keys: KeySpace = KeySpace.unique()) {
        self.server = server
        self.keys = keys
    }

    /// Seeds a gate (see ``SeededGate/Rules``).
    func seed(_ rules: SeededGate.Rules = SeededGate.Rules()) throws -> SeededGate {
        try SeededGate.make(rules, keys: keys, on: server.connect())
    }

    /// Runs `body` with a client of a fresh resumer's router.
    func run<Result: Sendable>(_ body: @escaping @Sendable (RouteClient) async throws -> Result) async throws -> Result {
        try await resumer().application().test(.router) { client in try await body(RouteClient(client: client)) }
    }

    /// What the resumer's metrics listener serves (the counters of every ``run(_:)`` of this harness).
    func metrics() async throws -> String {
        try await resumer().metricsApplication(host: "127.0.0.1", port: 0).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
    }

    private func resumer() throws -> Resumer {
        try Resumer(
            settings: ResumerSettings(redis: server.configuration, keys: keys, publicURL: SeededGate.publicURL, bodyLimit: 16 * 1024),
            registry: registry, logger: Logger(label: "test.resumer"))
    }
}

/// Requests to the router under test, by link or path.
struct RouteClient: Sendable {
    let client: any TestClientProtocol

    struct Answer: Sendable {
        let status: Int
        let headers: HTTPFields
        let body: String
        var json: JSONValue? { try? JSONValue(parsing: body) }
    }

    /// A request to `target`: a link under ``SeededGate/publicURL`` or a path.
    func send(
        _ method: HTTPRequest.Method, _ target: String, body: String? = nil, contentType: String? = "application/json", accept: String? = nil
    ) async throws -> Answer {
        var headers = HTTPFields()
        if body != nil, let contentType { headers[.contentType] = contentType }
        if let accept { headers[.accept] = accept }
        let path = target.hasPrefix(SeededGate.publicURL) ? routePath(target) : target
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// A POST of raw bytes (which need not be UTF-8).
    func post(_ target: String, bytes: [UInt8], contentType: String) async throws -> Answer {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        let path = target.hasPrefix(SeededGate.publicURL) ? routePath(target) : target
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
            Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
        }
    }

    func get(_ target: String, accept: String? = "text/html") async throws -> Answer {
        try await send(.get, target, accept: accept)
    }

    func post(_ target: String, _ body: String, contentType: String? = "application/json") async throws -> Answer {
        try await send(.post, target, body: body, contentType: contentType)
    }

    func form(_ target: String, _ body: String) async throws -> Answer {
        try await send(.post, target, body: body, contentType: "application/x-www-form-urlencoded")
    }
}

/// Commands a redis-server ran, by name, from `INFO commandstats` (for checking how much a
/// request reads; only meaningful on a server nothing else uses at the time).
func commandCounts(_ connection: RedisConnection) throws -> [String: Int] {
    let info = try connection.send("INFO", "commandstats").string ?? ""
    var counts: [String: Int] = [:]
    for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
        let name = line.dropFirst("cmdstat_".count).prefix { $0 != ":" }
        if let calls = line.split(separator: "calls=").dropFirst().first?.prefix(while: \.isNumber), let number = Int(calls) {
            counts[String(name)] = number
        }
    }
    return counts
}

/// The commands run between two ``commandCounts(_:)`` readings, leaving out the `INFO` that read
/// them and the `AUTH` of a connection a pool opened on the way (not work of a request).
func commandsRun(from before: [String: Int], to after: [String: Int]) -> [String: Int] {
    var delta: [String: Int] = [:]
    for (name, calls) in after where name != "info" && name != "auth" && calls != before[name] { delta[name] = calls - (before[name] ?? 0) }
    return delta
}

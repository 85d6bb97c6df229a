import Hummingbird
public import Logging
public import Prometheus
public import ServiceLifecycle
public import SluiceRedis
public import SluiceStore

/// `--metrics-port`: a small HTTP server with the process's Prometheus metrics on `/metrics`
/// (what swift-metrics recorded, plus the ``StateGauges`` read from Redis at each scrape) and
/// `/healthz`. Redis is read on its own client's queue, never on an event loop.
public struct MetricsEndpoint: Service, CustomStringConvertible {
    public let host: String
    public let port: Int
    let registry: PrometheusCollectorRegistry
    /// Each prefix served, with its Redis (on a cluster, each prefix's slot may live on another node).
    let prefixes: [(gauges: StateGauges, redis: RedisConfiguration)]
    let logger: Logger

    public var description: String { "MetricsEndpoint(\(host):\(port))" }

    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, prefixes: [(KeySpace, RedisConfiguration)], logger: Logger) {
        self.host = host
        self.port = port
        self.registry = registry
        self.prefixes = prefixes.map { (StateGauges(registry: registry, keys: $0.0), $0.1) }
        self.logger = logger
    }

    public func run() async throws {
        let served = prefixes.map { (gauges: $0.gauges, client: RedisClient(configuration: $0.redis, label: "sluice.metrics")) }
        let registry = registry
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            for (gauges, client) in served {
                let reached = try? await client.run { connection in
                    gauges.refresh(on: connection)
                    return true
                }
                if reached == nil { gauges.refresh(on: nil) }
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        router.get("healthz") { _, _ -> String in "ok" }
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sluice-metrics"), logger: logger)
        try await application.runService()
    }
}

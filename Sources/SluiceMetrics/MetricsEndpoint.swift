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
    let gauges: StateGauges
    let redis: RedisConfiguration
    let logger: Logger

    public var description: String { "MetricsEndpoint(\(host):\(port))" }

    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, redis: RedisConfiguration, keys: KeySpace, logger: Logger) {
        self.host = host
        self.port = port
        self.registry = registry
        self.gauges = StateGauges(registry: registry, keys: keys)
        self.redis = redis
        self.logger = logger
    }

    public func run() async throws {
        let client = RedisClient(configuration: redis, label: "sluice.metrics")
        let gauges = gauges
        let registry = registry
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            let reached = try? await client.run { connection in
                gauges.refresh(on: connection)
                return true
            }
            if reached == nil { gauges.refresh(on: nil) }
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

public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import Prometheus
import SluiceApprovals
import SluiceCore
import SluiceHTTP
import SluiceRedis
import SluiceStore
import SluiceTriggers

/// The resumer: the HTTP server behind resume links (approval page, resume, cancel), the
/// triggers (webhooks at Windmill's URLs, HTTP routes: ``TriggerRoutes``) and `/healthz`; its Prometheus `/metrics` on a listener of their own (``metricsApplication(host:port:)``,
/// loopback by default), never beside the links strangers reach. Redis calls go through a pool of clients on their own queues, never
/// on the server's event loops. Connections are bounded: idle ones and slow requests are closed;
/// over `maxConnections`, up to `shedCapacity` more are answered (`/healthz`) or refused with a
/// 503 and closed at once, and beyond those new ones wait in the listen backlog until one closes
/// — the process never runs out of descriptors (docs/security.md).
public struct Resumer: Sendable {
    public let settings: ResumerSettings
    /// Each prefix served: its routes (links under `/p/<prefix>`) and its Redis clients.
    let prefixes: [(keys: KeySpace, routes: ApprovalRoutes, pool: RedisClientPool)]
    /// The first prefix's routes for links that do not name their prefix (`/approvals/...`).
    let unnamed: ApprovalRoutes
    let triggers: TriggerRoutes
    let metrics: ResumerMetrics
    let connections: ConnectionCount
    let logger: Logger

    public init(settings: ResumerSettings, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        connections = ConnectionCount(limit: settings.maxConnections)
        let metrics = ResumerMetrics(registry: registry, keys: settings.keys, connections: connections)
        self.metrics = metrics
        let base = settings.publicURL.hasSuffix("/") ? String(settings.publicURL.dropLast()) : settings.publicURL
        let pages = try PageRenderer()
        func routes(_ keys: KeySpace, pool: RedisClientPool, publicURL: String) -> ApprovalRoutes {
            ApprovalRoutes(
                pool: pool, desk: ApprovalDesk(gates: GateStore(keys: keys)), jobs: JobStore(keys: keys, settings: settings.store), pages: pages,
                metrics: metrics, bodyLimit: settings.bodyLimit, publicURL: publicURL, logger: logger)
        }
        let served = [ResumerSettings.ServedPrefix(keys: settings.keys, redis: settings.redis)] + settings.otherPrefixes
        prefixes = served.map { prefix in
            let pool = RedisClientPool(configuration: prefix.redis, size: settings.connections, label: "sluice.resumer.\(prefix.keys.name)")
            return (prefix.keys, routes(prefix.keys, pool: pool, publicURL: PrefixLinks.base(publicURL: base, keys: prefix.keys)), pool)
        }
        unnamed = routes(settings.keys, pool: prefixes[0].pool, publicURL: base)
        let desks = zip(served, prefixes).map { prefix, serving in
            TriggerRoutes.Served(
                name: prefix.keys.name, desk: TriggerDesk(jobs: JobStore(keys: prefix.keys, settings: settings.store), keyring: settings.keyring),
                pool: serving.pool)
        }
        triggers = TriggerRoutes(
            served: desks, redis: settings.redis, settings: settings.triggers, bodyLimit: settings.bodyLimit, publicURL: base, metrics: metrics,
            logger: logger)
    }

    /// The router with every route and the security headers.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware(SecurityHeaders.resumer))
        router.add(middleware: MetricsMiddleware())
        let prefixes = prefixes
        router.get("healthz") { _, _ -> Response in
            for prefix in prefixes where !(await prefix.routes.isRedisReachable()) {
                return .json(.serviceUnavailable, ["status": "degraded", "redis": "down", "prefix": .string(prefix.keys.name)])
            }
            return .json(.ok, ["status": "ok", "redis": "up"])
        }
        Self.addLinks(to: router, under: "", routes: unnamed)
        for prefix in prefixes { Self.addLinks(to: router, under: PrefixLinks.pathPrefix(prefix.keys) + "/", routes: prefix.routes) }
        // A link under a prefix not served here answers as a link to no gate does (the served
        // prefixes' constant path segments win over this parameter).
        let unknown = unnamed
        let link = "p/:prefix/approvals/:gate/:subject/:token"
        for path in [link, link + "/resume", link + "/cancel"] {
            router.on(RouterPath(path), method: .get) { request, context in await unknown.unknownPrefix(request, context) }
            router.on(RouterPath(path), method: .post) { request, context in await unknown.unknownPrefix(request, context) }
        }
        Self.addTriggers(to: router, triggers: triggers)
        return router
    }

    /// Webhooks at Windmill's URLs (`/api/w/<prefix>/jobs/...`) and HTTP routes (`/api/r/...`).
    private static func addTriggers(to router: Router<BasicRequestContext>, triggers: TriggerRoutes) {
        let jobs = "api/w/:workspace/jobs/"
        router.post(RouterPath(jobs + "run/p/**")) { request, context in await triggers.run(request, context, flow: false, wait: false) }
        router.post(RouterPath(jobs + "run/f/**")) { request, context in await triggers.run(request, context, flow: true, wait: false) }
        for method in [HTTPRequest.Method.post, .get] {
            router.on(RouterPath(jobs + "run_wait_result/p/**"), method: method) { request, context in
                await triggers.run(request, context, flow: false, wait: true)
            }
            router.on(RouterPath(jobs + "run_wait_result/f/**"), method: method) { request, context in
                await triggers.run(request, context, flow: true, wait: true)
            }
        }
        let reads = "api/w/:workspace/jobs_u/"
        router.get(RouterPath(reads + "completed/get_result/:id")) { request, context in await triggers.result(request, context) }
        router.get(RouterPath(reads + "completed/get_result_maybe/:id")) { request, context in await triggers.resultMaybe(request, context) }
        router.get(RouterPath(reads + "get/:id")) { request, context in await triggers.status(request, context) }
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            router.on("api/r/**", method: method) { request, context in await triggers.route(request, context) }
        }
    }

    /// The Prometheus exposition: what the resumer counted, and the state gauges read from Redis now.
    public func metricsText() async -> String {
        await metrics.render(prefixes: prefixes.map { ($0.keys, $0.pool) })
    }

    /// The metrics listener: `/metrics` and `/healthz` on `host:port` (0 picks a free port;
    /// `onServerRunning` receives the bound port) — for Prometheus, not for approvers.
    public func metricsApplication(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware(SecurityHeaders.resumer))
        let resumer = self
        router.get("metrics") { _, _ -> Response in
            .text(.ok, await resumer.metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("healthz") { _, _ -> Response in .json(.ok, ["status": "ok"]) }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sluice-resumer-metrics"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// The page, resume and cancel routes of one prefix's links, under `path`.
    private static func addLinks(to router: Router<BasicRequestContext>, under path: String, routes: ApprovalRoutes) {
        let link = path + "approvals/:gate/:subject/:token"
        router.get(RouterPath(link)) { request, context in await routes.page(request, context) }
        router.get(RouterPath(link + "/resume")) { request, context in await routes.page(request, context) }
        router.get(RouterPath(link + "/cancel")) { request, context in await routes.confirmReject(request, context) }
        router.post(RouterPath(link + "/resume")) { request, context in await routes.act(request, context, reject: false) }
        router.post(RouterPath(link + "/cancel")) { request, context in await routes.act(request, context, reject: true) }
        router.get(RouterPath(path + "inbox/:subject/:token")) { request, context in await routes.inbox(request, context) }
    }

    /// The application, listening on the configured host and port (0 picks a free port;
    /// `onServerRunning` receives the bound port), with the connection limits of ``settings``.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let connections = connections
        let metrics = metrics
        let readTimeout = TimeAmount(settings.readTimeout)
        let shedGrace = TimeAmount(settings.shedGrace)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                RequestReadTimeoutHandler(headTimeout: TimeAmount(settings.idleTimeout), bodyTimeout: readTimeout) {
                    metrics.connectionClosed("read_timeout")
                },
                LoadSheddingHandler(count: connections, grace: shedGrace) { metrics.connectionClosed("shed") },
            ],
            idleTimeout: TimeAmount(settings.idleTimeout))
        return Application(
            router: router(),
            server: .http1(configuration: http1),
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: "sluice-resumer",
                availableConnectionsDelegate: .maximum(settings.maxConnections + settings.shedCapacity, logger: logger)),
            onServerRunning: { [settings] channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
            logger: logger
        )
    }
}

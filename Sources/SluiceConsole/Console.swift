public import Hummingbird
public import Logging
import SluiceHTTP
import SluiceRedis
import SluiceStore

/// The operator's web console (`sluice console`): server-rendered pages over the operator's
/// Redis — overview, jobs, a job's page with its actions, the audit list — with live parts fed by
/// server-sent events. It holds the operator's trust (as `redis-cli` would), so it listens on
/// loopback unless operator tokens guard it (docs/console.md). Its Redis calls run on a pool of
/// clients on their own threads, never on the server's event loops or Swift's cooperative pool.
public struct Console: Sendable {
    public let settings: ConsoleSettings
    let routes: ConsoleRoutes
    let logger: Logger

    public init(settings: ConsoleSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let jobs = JobStore(keys: settings.keys, settings: settings.store)
        routes = ConsoleRoutes(
            pool: RedisClientPool(configuration: settings.redis, size: settings.connections, label: "sluice.console"),
            jobs: jobs, actions: ConsoleActions(jobs: jobs), gateActions: GateActions(keys: settings.keys), runAction: RunAction(jobs: jobs),
            settingsActions: SettingsActions(keys: settings.keys),
            resumerURL: settings.resumerURL,
            pages: try ConsolePages(prefix: settings.keys.name, operatorName: settings.operatorName), csrf: CSRFGuard(),
            live: LiveStream(interval: settings.liveInterval, lifetime: settings.liveLifetime), operatorName: settings.operatorName,
            authentication: settings.operatorTokens
                ? ConsoleRoutes.Authentication(tokens: OperatorTokens(keys: settings.keys), cookies: SessionCookie()) : nil,
            bodyLimit: settings.bodyLimit)
    }

    /// Every route, behind the security headers.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware(ConsoleSecurityHeaders.console))
        routes.add(to: router)
        return router
    }

    /// The server on ``ConsoleSettings/listen`` (port 0 picks a free one; `onServerRunning`
    /// receives the bound port).
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let port = settings.listen.port
        return Application(
            router: router(),
            configuration: .init(address: .hostname(settings.listen.host, port: port), serverName: "sluice-console"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

import ArgumentParser
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import SluiceCommandLine
import SluiceResumer
import UnixSignals

/// `resumer`: the HTTP server behind approval links, until SIGTERM or SIGINT.
@main
struct ResumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resumer",
        abstract:
            "Serve Sluice's approval links (approval page, resume, cancel), webhooks and HTTP routes (docs/triggers.md), /healthz; /metrics on --metrics-port."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var connectionLimits: ConnectionLimitOptions
    @OptionGroup var metrics: MetricsOptions

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on (default 8080; 0 picks a free one).") var port: Int = 8080
    @Option(help: "The base URL people open, as links are minted with it (env SLUICE_PUBLIC_URL).") var publicURL: String?
    @Option(help: "Largest request body in bytes (default 65536).") var bodyLimit: Int = 65536
    @Option(help: "How long a synchronous webhook or route waits for its run before answering 202 (seconds, default 60).")
    var syncWait: Int = 60
    @Option(help: "Synchronous webhook and route requests waiting at once; more are answered 202 at once (default 64).")
    var maxWaiting: Int = 64
    @Option(help: "How long a delivery's Idempotency-Key is remembered (seconds, default 86400).") var idempotencyWindow: Int = 86_400
    @OptionGroup var secretKeys: SecretKeyOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (1024...(16 << 20)).contains(bodyLimit) else { throw ValidationError("--body-limit must be between 1 KiB and 16 MiB") }
        guard (1...3600).contains(syncWait) else { throw ValidationError("--sync-wait must be between 1 and 3600 seconds") }
        guard (1...4096).contains(maxWaiting) else { throw ValidationError("--max-waiting must be between 1 and 4096") }
        guard (1...(30 * 86_400)).contains(idempotencyWindow) else { throw ValidationError("--idempotency-window must be between 1 s and 30 days") }
        _ = try connectionLimits.limits()
        if let metrics = try metrics.address(), metrics.port == port, port != 0 {
            throw ValidationError("--metrics-port must differ from --port: metrics are not served beside the approval links")
        }
    }

    func run() async throws {
        let logger = try logging.bootstrap(label: "sluice.resumer")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let publicURL = publicURL ?? Environment.value("SLUICE_PUBLIC_URL") ?? "http://\(host):\(port)"
        let limits = try connectionLimits.limits()
        var planned = ResumerSettings(
            redis: try connection.redisConfiguration(), keys: connection.keySpace, host: host, port: port, publicURL: publicURL,
            bodyLimit: bodyLimit, store: try connection.storeSettings(), idleTimeout: limits.idleTimeout, readTimeout: limits.readTimeout,
            maxConnections: limits.maxConnections)
        planned.triggers = TriggerSettings(syncWait: .seconds(syncWait), maxWaiting: maxWaiting, idempotencyWindow: idempotencyWindow)
        planned.keyring = try secretKeys.keyring()
        planned.otherPrefixes = try connection.keySpaces.dropFirst().map {
            ResumerSettings.ServedPrefix(keys: $0, redis: try connection.redisConfiguration(for: $0))
        }
        if let available = DescriptorLimit.raise(toAtLeast: planned.descriptorsNeeded), available < planned.descriptorsNeeded {
            let fitting = available - (planned.descriptorsNeeded - planned.maxConnections)
            guard !limits.maxConnectionsGiven, fitting >= 16 else {
                throw CommandFailure(
                    "--max-connections \(planned.maxConnections) needs about \(planned.descriptorsNeeded) open files, but this process may open "
                        + "\(available) (ulimit -n): lower --max-connections or raise the limit")
            }
            logger.warning(
                "open-file limit too low for the default connection limit; serving fewer connections",
                metadata: ["max_connections": "\(fitting)", "open_files": "\(available)"])
            planned.maxConnections = fitting
        }
        let settings = planned
        let resumer = try Resumer(settings: settings, registry: registry, logger: logger)
        let application = resumer.application { bound in
            logger.info(
                "resumer listening",
                metadata: [
                    "port": "\(bound)", "public_url": "\(publicURL)", "max_connections": "\(settings.maxConnections)",
                    "idle_timeout": "\(limits.idleTimeout)", "read_timeout": "\(limits.readTimeout)",
                ])
        }
        var services: [any Service] = [application]
        if let address = try metrics.address() {
            services.append(
                resumer.metricsApplication(host: address.host, port: address.port) { bound in
                    logger.info("metrics listening", metadata: ["host": "\(address.host)", "port": "\(bound)"])
                })
        }
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: configuration).run()
    }
}

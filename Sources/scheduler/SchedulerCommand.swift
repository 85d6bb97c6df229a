import ArgumentParser
import Logging
import ServiceLifecycle
import SluiceCommandLine
import SluiceMetrics
import SluiceScheduler
import SluiceStore
import UnixSignals

/// `scheduler`: fires delayed jobs, gate timeouts and schedules' ticks, hands back jobs of dead
/// workers and fails stuck flows, until SIGTERM or SIGINT.
@main
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Fire what is due in Sluice: delayed jobs, gate timeouts, schedules' ticks, expired leases. Several may run at once."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var metrics: MetricsOptions

    @Option(name: .long, help: "Longest sleep in seconds when nothing is due sooner (default 1).")
    var maxIdle: String = "1"

    @Option(name: .long, help: "Seconds between looks for expired leases (default 0.5).")
    var reapInterval: String = "0.5"

    @Option(
        name: .long,
        help: "Most seconds a Redis stall gives back to every lease, so jobs are not handed back for a silence nobody could break (default 60).")
    var stallLimit: String = "60"

    @Option(
        name: .long,
        help:
            "Seconds between two looks of the flow audit at a run: a flow found twice, this far apart, with nothing queued, running or parked for it is failed as stuck (default 60)."
    )
    var flowQuiet: String = "60"

    func validate() throws {
        for (name, value) in [
            ("--max-idle", maxIdle), ("--reap-interval", reapInterval), ("--stall-limit", stallLimit), ("--flow-quiet", flowQuiet),
        ] {
            guard let duration = DurationParsing.seconds(value), duration > .zero else {
                throw ValidationError("\(name) must be a positive number of seconds, got '\(value)'")
            }
        }
        _ = try metrics.address()
    }

    func run() async throws {
        let logger = try logging.bootstrap(label: "sluice.scheduler")
        let settings = SchedulerSettings(
            redis: try connection.redisConfiguration(),
            maximumIdle: DurationParsing.seconds(maxIdle) ?? .seconds(1),
            reapInterval: DurationParsing.seconds(reapInterval) ?? .milliseconds(500),
            stallLimit: DurationParsing.seconds(stallLimit) ?? .seconds(60),
            flowQuiet: DurationParsing.seconds(flowQuiet) ?? .seconds(60)
        )
        let prefixes = try connection.keySpaces.map { ($0, try connection.redisConfiguration(for: $0)) }
        // One service per prefix, each with its own loops and connections.
        let services = try PrefixServices.make(prefixes: prefixes, metricsAt: try metrics.address(), logger: logger) { keys, redis in
            var served = settings
            served.redis = redis
            return SchedulerService(settings: served, store: try connection.jobStore(for: keys), logger: logger)
        }
        let configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await ServiceGroup(configuration: configuration).run()
    }
}

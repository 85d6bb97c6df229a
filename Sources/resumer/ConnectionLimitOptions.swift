import ArgumentParser
import SluiceCommandLine

/// How long connections may idle or dribble, and how many are served at once. Each option falls
/// back to an environment variable, then to a default.
struct ConnectionLimitOptions: ParsableArguments {
    @Option(help: "Seconds a connection may stay open with no request in progress, or while headers drip in (env SLUICE_IDLE_TIMEOUT, default 15).")
    var idleTimeout: String?

    @Option(help: "Seconds a request's body may take to arrive once its headers have (env SLUICE_READ_TIMEOUT, default 10).")
    var readTimeout: String?

    @Option(help: "Connections served at once; more get a 503 (/healthz is still served) and are closed (env SLUICE_MAX_CONNECTIONS, default 1024).")
    var maxConnections: String?

    /// The resolved limits.
    struct Limits {
        var idleTimeout: Duration
        var readTimeout: Duration
        var maxConnections: Int
        /// Whether `maxConnections` was asked for (flag or environment) rather than the default.
        var maxConnectionsGiven: Bool
    }

    func limits() throws -> Limits {
        Limits(
            idleTimeout: try seconds(idleTimeout, flag: "--idle-timeout", variable: "SLUICE_IDLE_TIMEOUT", default: 15),
            readTimeout: try seconds(readTimeout, flag: "--read-timeout", variable: "SLUICE_READ_TIMEOUT", default: 10),
            maxConnections: try count(maxConnections, flag: "--max-connections", variable: "SLUICE_MAX_CONNECTIONS", default: 1024),
            maxConnectionsGiven: maxConnections != nil || Environment.value("SLUICE_MAX_CONNECTIONS") != nil)
    }

    private func seconds(_ given: String?, flag: String, variable: String, default fallback: Int) throws -> Duration {
        guard let text = given ?? Environment.value(variable) else { return .seconds(fallback) }
        let source = given == nil ? variable : flag
        guard let duration = DurationParsing.seconds(text), duration >= .milliseconds(100), duration <= .seconds(3600) else {
            throw ValidationError("\(source) must be a number of seconds between 0.1 and 3600, got '\(text)'")
        }
        return duration
    }

    private func count(_ given: String?, flag: String, variable: String, default fallback: Int) throws -> Int {
        guard let text = given ?? Environment.value(variable) else { return fallback }
        let source = given == nil ? variable : flag
        guard let value = Int(text), (1...1_000_000).contains(value) else {
            throw ValidationError("\(source) must be a whole number between 1 and 1000000, got '\(text)'")
        }
        return value
    }
}

public import ArgumentParser

/// `--metrics-port` / `--metrics-host` for the worker and the scheduler (env `SLUICE_METRICS_PORT`,
/// `SLUICE_METRICS_HOST`): where to serve Prometheus metrics; no port, no endpoint.
public struct MetricsOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "Serve Prometheus metrics on this port at /metrics (env SLUICE_METRICS_PORT; default: none).")
    public var metricsPort: Int?

    @Option(name: .long, help: "Address for --metrics-port (env SLUICE_METRICS_HOST, default 127.0.0.1; 0.0.0.0 for every interface).")
    public var metricsHost: String?

    public init() {}

    /// The endpoint's address, or nil when no port is given.
    public func address() throws -> (host: String, port: Int)? {
        guard let port = metricsPort ?? Environment.value("SLUICE_METRICS_PORT").flatMap({ Int($0) }) else {
            if let text = Environment.value("SLUICE_METRICS_PORT") { throw ValidationError("SLUICE_METRICS_PORT is not a port: '\(text)'") }
            return nil
        }
        guard (1...65535).contains(port) else { throw ValidationError("--metrics-port must be between 1 and 65535") }
        return (metricsHost ?? Environment.value("SLUICE_METRICS_HOST") ?? "127.0.0.1", port)
    }
}

public import ArgumentParser
public import Logging

/// `--log-level` (env `SLUICE_LOG_LEVEL`, default info) and the one-time logging bootstrap.
public struct LoggingOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (env SLUICE_LOG_LEVEL).")
    public var logLevel: String?

    public init() {}

    /// Bootstraps swift-log to stderr at the chosen level and returns a logger labelled `label`.
    public func bootstrap(label: String) throws -> Logger {
        let text = logLevel ?? Environment.value("SLUICE_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("unknown log level '\(text)'")
        }
        LoggingSystem.bootstrap { name in
            var handler = StreamLogHandler.standardError(label: name)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

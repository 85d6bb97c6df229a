public import ArgumentParser
public import Logging

/// `--log-level` (env `SLUICE_LOG_LEVEL`, default info), `--log-format` (env `SLUICE_LOG_FORMAT`,
/// `text` or `json`) and the one-time logging bootstrap.
public struct LoggingOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (env SLUICE_LOG_LEVEL).")
    public var logLevel: String?

    @Option(name: .long, help: "text or json: one JSON object per line (env SLUICE_LOG_FORMAT, default text).")
    public var logFormat: String?

    public init() {}

    /// Bootstraps swift-log to stderr at the chosen level and returns a logger labelled `label`.
    public func bootstrap(label: String) throws -> Logger {
        let text = logLevel ?? Environment.value("SLUICE_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("unknown log level '\(text)'")
        }
        let format = logFormat ?? Environment.value("SLUICE_LOG_FORMAT") ?? "text"
        switch format {
        case "text":
            LoggingSystem.bootstrap { name in
                var handler = StreamLogHandler.standardError(label: name)
                handler.logLevel = level
                return handler
            }
        case "json":
            LoggingSystem.bootstrap { name in
                var handler = JSONLogHandler(label: name)
                handler.logLevel = level
                return handler
            }
        default:
            throw ValidationError("unknown log format '\(format)' (text or json)")
        }
        return Logger(label: label)
    }
}

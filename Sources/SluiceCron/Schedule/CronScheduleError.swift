/// Why a schedule's cron expression or time zone was refused.
public enum CronScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The cron expression does not parse.
    case syntax(CronSyntaxError)
    /// The time zone is not in the system's tz database (names are case-sensitive, e.g. `Europe/Berlin`).
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .syntax(let error): error.description
        case .unknownTimeZone(let name): "unknown time zone '\(name)'; expected a tz database name such as UTC or Europe/Berlin"
        }
    }
}

/// One of the six fields of a cron expression, in Windmill's order: `second minute hour
/// day-of-month month day-of-week`. The classic five-field form leaves out `second`.
public enum CronField: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case second
    case minute
    case hour
    case dayOfMonth
    case month
    case dayOfWeek

    /// The field's name as error messages and docs spell it.
    public var description: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    /// The values the field accepts. Day-of-week takes 0–7, where both 0 and 7 are Sunday.
    public var range: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The three-letter names the field accepts (upper case; matched case-insensitively), with
    /// their values: months JAN–DEC are 1–12, days SUN–SAT are 0–6.
    var names: [String: Int] {
        switch self {
        case .month:
            ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
        case .dayOfWeek:
            ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
        default:
            [:]
        }
    }

    /// Whether `?` may stand for `*` (Quartz and Windmill write it in the day fields).
    var acceptsQuestionMark: Bool { self == .dayOfMonth || self == .dayOfWeek }

    /// What the field accepts, for error messages.
    var expected: String {
        switch self {
        case .month: "a number 1–12 or a name JAN–DEC"
        case .dayOfWeek: "a number 0–7 (0 and 7 are Sunday) or a name SUN–SAT"
        default: "a number \(range.lowerBound)–\(range.upperBound)"
        }
    }
}

/// Why a cron expression was refused: what was expected, and where.
///
/// `position` is the 1-based column of the offending character in the text as written (counted in
/// characters, as an editor shows them); a missing field points one past the end.
public struct CronSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based column in the original text.
    public let position: Int
    /// The field the error concerns, when it concerns one.
    public let field: CronField?
    /// What is wrong and what was expected, e.g. `minute 61 is out of range 0–59`.
    public let message: String

    public init(position: Int, field: CronField?, message: String) {
        self.position = position
        self.field = field
        self.message = message
    }

    public var description: String {
        "invalid cron expression at column \(position): \(message)"
    }
}

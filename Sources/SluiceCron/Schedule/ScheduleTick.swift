public import Foundation

/// One firing of a schedule: a whole second. Its ``tickID`` — seconds since the Unix epoch — is
/// what the store claims, once per (schedule, tick), so that however many schedulers run, a tick
/// fires exactly once.
public struct ScheduleTick: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let tickID: Int64

    public init(tickID: Int64) {
        self.tickID = tickID
    }

    /// The tick of the whole second at or before `date`; `nil` for a date that is not a number.
    public init?(_ date: Date) {
        guard let seconds = date.wholeSecondsSinceEpoch else { return nil }
        tickID = seconds
    }

    /// The instant of the tick.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(tickID)) }

    /// ISO 8601 in UTC, e.g. `2026-03-29T01:30:00Z`.
    public var description: String {
        let time = CivilTime(wallSeconds: tickID)
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(time.year)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return "\(paddedYear)-\(pad(time.month))-\(pad(time.day))T\(pad(time.hour)):\(pad(time.minute)):\(pad(time.second))Z"
    }

    public static func < (lhs: ScheduleTick, rhs: ScheduleTick) -> Bool { lhs.tickID < rhs.tickID }
}

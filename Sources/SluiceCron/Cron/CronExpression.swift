public import Foundation

/// A cron expression as Windmill users write it, and the times it fires in a time zone.
///
/// **Syntax.** Six fields, `second minute hour day-of-month month day-of-week` (Windmill's form), or
/// the classic five without `second` (which is then 0). Fields are separated by blanks. Each field
/// is a list `a,b,c` of items; an item is `*`, a value `a`, a range `a-b`, or any of them with a
/// step: `*/n`, `a-b/n`, `a/n` (from `a` to the end of the field). Months take `JAN`–`DEC`, days of
/// the week `SUN`–`SAT` (any case) as well as numbers; day-of-week runs 0–7 where 0 and 7 are
/// Sunday, and a range ending in Sunday may be written `FRI-SUN`. `?` means `*` in the two day
/// fields. The shorthands `@yearly` (= `@annually`), `@monthly`, `@weekly`, `@daily`
/// (= `@midnight`) and `@hourly` fire at second 0 of the first minute of their period. `@every`,
/// `@reboot`, a seventh (year) field and Quartz's `L`, `W` and `#` are refused. Anything else is a
/// ``CronSyntaxError`` naming the field, the 1-based column and what was expected.
///
/// **Days.** As in Vixie cron: when both day fields are restricted, a day matches if *either*
/// matches (`0 0 1,15 * MON` fires on the 1st, the 15th and every Monday); when one of them starts
/// with `*` or `?` (so `*/2` too), a day must match both.
///
/// **Time zones and daylight saving time.** Fields are matched against the wall clock of the
/// time zone. A wall time the clock skips (spring forward: 02:30 on 2026-03-29 in Europe/Berlin)
/// does not fire that day. A wall time the clock shows twice (fall back: 01:30 on 2026-11-01 in
/// America/New_York) fires once, at its first occurrence. This holds for every field, so a
/// schedule such as `*/15 * * * *` pauses during the repeated hour.
///
/// **Ticks** are whole seconds. Searches look at most eight years ahead (or back) — the longest
/// wait for a February 29th — and give `nil` past that, so `0 0 30 2 *` never fires rather than
/// searching forever. Instants outside the years 1–9999 are never returned.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    public let source: String
    // One bit per matching value: bit n set when n matches (day-of-week: 0 = Sunday … 6).
    let seconds: UInt64
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    let daysOfWeek: UInt64
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `source`; see the type's documentation for the syntax.
    public init(_ source: String) throws(CronSyntaxError) {
        let fields = try CronParser(source).parse()
        self.source = source
        seconds = fields.bits[0]
        minutes = fields.bits[1]
        hours = fields.bits[2]
        daysOfMonth = fields.bits[3]
        months = fields.bits[4]
        daysOfWeek = fields.bits[5]
        dayOfMonthRestricted = fields.dayOfMonthRestricted
        dayOfWeekRestricted = fields.dayOfWeekRestricted
    }

    public var description: String { source }

    /// The first tick strictly after `date` in `zone`, or `nil` when there is none within eight years.
    public func nextFire(after date: Date, in zone: TimeZone) -> Date? {
        guard let seconds = date.wholeSecondsSinceEpoch else { return nil }
        return nextFire(afterSecond: seconds, clock: ZoneClock(zone: zone)).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The last tick at or before `date` in `zone`, or `nil` when there is none within eight years.
    public func previousFire(atOrBefore date: Date, in zone: TimeZone) -> Date? {
        guard let seconds = date.wholeSecondsSinceEpoch else { return nil }
        return previousFire(atOrBeforeSecond: seconds, clock: ZoneClock(zone: zone)).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The next `count` ticks strictly after `date` in `zone`, in order; fewer when the search
    /// runs out (see ``nextFire(after:in:)``).
    public func fireTimes(after date: Date, in zone: TimeZone, count: Int) -> [Date] {
        guard count > 0, var seconds = date.wholeSecondsSinceEpoch else { return [] }
        let clock = ZoneClock(zone: zone)
        var times: [Date] = []
        while times.count < count, let next = nextFire(afterSecond: seconds, clock: clock) {
            times.append(Date(timeIntervalSince1970: TimeInterval(next)))
            seconds = next
        }
        return times
    }
}

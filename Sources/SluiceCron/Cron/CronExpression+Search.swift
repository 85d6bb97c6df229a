/// Finding ticks: a search over wall-clock fields that jumps to the next (or previous) matching
/// month, day, hour, minute and second instead of stepping through time, then a translation of
/// the matching wall time into an instant by the zone's clock.
extension CronExpression {
    /// How many years a search covers: the longest gap between two February 29ths (2096 → 2104).
    static let searchYears: Int64 = 8

    /// The instants a tick may fall on: 0001-01-01T00:00:00Z through 9999-12-31T23:59:59Z.
    static let supportedSeconds: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// The first tick after the second `after`, as seconds since the epoch.
    func nextFire(afterSecond after: Int64, clock: ZoneClock) -> Int64? {
        guard after < Self.supportedSeconds.upperBound else { return nil }
        let start = max(after + 1, Self.supportedSeconds.lowerBound)
        // Walls before the start's can only be shown again after a clock change, by instants that
        // are second occurrences — which never fire.
        var wall = clock.wallSeconds(at: start)
        let lastYear = CivilTime(wallSeconds: wall).year + Self.searchYears
        while let candidate = nextMatch(atOrAfter: wall, throughYear: lastYear) {
            switch clock.reading(of: candidate) {
            case .once(let instant):
                if instant >= start { return Self.supportedSeconds.contains(instant) ? instant : nil }
                wall = candidate + 1
            case .twice(let first, let overlapEnd):
                if first >= start { return Self.supportedSeconds.contains(first) ? first : nil }
                // The start is in the repeated stretch, past every first occurrence in it.
                wall = max(candidate + 1, overlapEnd)
            case .never(_, let gapEnd):
                wall = max(candidate + 1, gapEnd)
            }
        }
        return nil
    }

    /// The last tick at or before the second `atOrBefore`, as seconds since the epoch.
    func previousFire(atOrBeforeSecond atOrBefore: Int64, clock: ZoneClock) -> Int64? {
        guard atOrBefore >= Self.supportedSeconds.lowerBound else { return nil }
        let end = min(atOrBefore, Self.supportedSeconds.upperBound)
        var wall = clock.wallSeconds(at: end)
        // After the clock went back, instants before `end` showed later wall times than `end` does.
        let dayBefore = end - 86_400
        if clock.offset(at: dayBefore) != clock.offset(at: end) {
            let change = clock.firstChange(after: dayBefore, notAfter: end)
            wall = max(wall, clock.wallSeconds(at: change - 1))
        }
        let firstYear = CivilTime(wallSeconds: wall).year - Self.searchYears
        while let candidate = previousMatch(atOrBefore: wall, fromYear: firstYear) {
            switch clock.reading(of: candidate) {
            case .once(let instant):
                if instant <= end { return Self.supportedSeconds.contains(instant) ? instant : nil }
                wall = candidate - 1
            case .twice(let first, _):
                if first <= end { return Self.supportedSeconds.contains(first) ? first : nil }
                wall = candidate - 1
            case .never(let gapStart, _):
                wall = min(candidate - 1, gapStart - 1)
            }
        }
        return nil
    }

    // MARK: - Wall-clock fields

    /// The first wall time at or after `wall` whose fields match, up to the end of `lastYear`.
    func nextMatch(atOrAfter wall: Int64, throughYear lastYear: Int64) -> Int64? {
        var time = CivilTime(wallSeconds: wall)
        while time.year <= lastYear {
            guard let month = Self.first(in: months, atOrAfter: time.month) else {
                time = CivilTime(year: time.year + 1, month: 1, day: 1)
                continue
            }
            if month != time.month { time = CivilTime(year: time.year, month: month, day: 1) }
            let length = CivilTime.daysInMonth(year: time.year, month: time.month)
            var day = time.day
            while day <= length, !matchesDay(year: time.year, month: time.month, day: day) { day += 1 }
            guard day <= length else {
                time = time.month == 12 ? CivilTime(year: time.year + 1, month: 1, day: 1) : CivilTime(year: time.year, month: time.month + 1, day: 1)
                continue
            }
            if day != time.day { time = CivilTime(year: time.year, month: time.month, day: day) }
            guard let hour = Self.first(in: hours, atOrAfter: time.hour) else {
                time = CivilTime(year: time.year, month: time.month, day: time.day + 1)
                continue
            }
            if hour != time.hour { (time.hour, time.minute, time.second) = (hour, 0, 0) }
            guard let minute = Self.first(in: minutes, atOrAfter: time.minute) else {
                (time.hour, time.minute, time.second) = (time.hour + 1, 0, 0)
                continue
            }
            if minute != time.minute { (time.minute, time.second) = (minute, 0) }
            guard let second = Self.first(in: seconds, atOrAfter: time.second) else {
                (time.minute, time.second) = (time.minute + 1, 0)
                continue
            }
            time.second = second
            return time.wallSeconds
        }
        return nil
    }

    /// The last wall time at or before `wall` whose fields match, down to the start of `firstYear`.
    func previousMatch(atOrBefore wall: Int64, fromYear firstYear: Int64) -> Int64? {
        var time = CivilTime(wallSeconds: wall)
        while time.year >= firstYear {
            guard let month = Self.last(in: months, atOrBefore: time.month) else {
                time = Self.lastSecond(year: time.year - 1, month: 12)
                continue
            }
            if month != time.month { time = Self.lastSecond(year: time.year, month: month) }
            var day = time.day
            while day >= 1, !matchesDay(year: time.year, month: time.month, day: day) { day -= 1 }
            guard day >= 1 else {
                time = time.month == 1 ? Self.lastSecond(year: time.year - 1, month: 12) : Self.lastSecond(year: time.year, month: time.month - 1)
                continue
            }
            if day != time.day { time = CivilTime(year: time.year, month: time.month, day: day, hour: 23, minute: 59, second: 59) }
            guard let hour = Self.last(in: hours, atOrBefore: time.hour) else {
                time = CivilTime(year: time.year, month: time.month, day: time.day - 1, hour: 23, minute: 59, second: 59)
                continue
            }
            if hour != time.hour { (time.hour, time.minute, time.second) = (hour, 59, 59) }
            guard let minute = Self.last(in: minutes, atOrBefore: time.minute) else {
                (time.hour, time.minute, time.second) = (time.hour - 1, 59, 59)
                continue
            }
            if minute != time.minute { (time.minute, time.second) = (minute, 59) }
            guard let second = Self.last(in: seconds, atOrBefore: time.second) else {
                (time.minute, time.second) = (time.minute - 1, 59)
                continue
            }
            time.second = second
            return time.wallSeconds
        }
        return nil
    }

    /// The day rule: either day field when both restrict days, both otherwise (see the type's documentation).
    func matchesDay(year: Int64, month: Int, day: Int) -> Bool {
        let dayOfMonth = daysOfMonth >> UInt64(day) & 1 == 1
        let dayOfWeek = daysOfWeek >> UInt64(CivilTime.weekday(year: year, month: month, day: day)) & 1 == 1
        if dayOfMonthRestricted && dayOfWeekRestricted {
            return dayOfMonth || dayOfWeek
        }
        return dayOfMonth && dayOfWeek
    }

    private static func lastSecond(year: Int64, month: Int) -> CivilTime {
        CivilTime(year: year, month: month, day: CivilTime.daysInMonth(year: year, month: month), hour: 23, minute: 59, second: 59)
    }

    /// The smallest value in `bits` that is at least `value`.
    private static func first(in bits: UInt64, atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let candidates = bits & (UInt64.max << UInt64(max(value, 0)))
        return candidates == 0 ? nil : candidates.trailingZeroBitCount
    }

    /// The largest value in `bits` that is at most `value`.
    private static func last(in bits: UInt64, atOrBefore value: Int) -> Int? {
        guard value >= 0 else { return nil }
        let candidates = value >= 63 ? bits : bits & (UInt64.max >> UInt64(63 - value))
        return candidates == 0 ? nil : 63 - candidates.leadingZeroBitCount
    }
}

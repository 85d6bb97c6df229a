import Foundation

/// Ticks as milliseconds since the epoch, the unit of Redis's clock and of the store's due times.
extension CronSchedule {
    /// The first tick strictly after the whole second of `milliseconds`, in ms; `nil` when there is none.
    public func nextFire(afterMilliseconds milliseconds: Int64) -> Int64? {
        fireTimes(afterMilliseconds: milliseconds, count: 1).first
    }

    /// The next `count` ticks strictly after the whole second of `milliseconds`, in ms.
    public func fireTimes(afterMilliseconds milliseconds: Int64, count: Int) -> [Int64] {
        fireTimes(after: Self.date(milliseconds), count: count).compactMap { ScheduleTick($0).map { $0.tickID * 1000 } }
    }

    /// ``decideTick(since:now:)`` on the store's units: `since` in whole seconds, `now` in ms.
    public func decideTick(sinceSecond: Int64, nowMilliseconds: Int64) -> TickDecision {
        decideTick(since: Date(timeIntervalSince1970: TimeInterval(sinceSecond)), now: Self.date(nowMilliseconds))
    }

    /// The whole second at or before `milliseconds`, as a date.
    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(wholeSeconds(milliseconds)))
    }

    /// The whole second (floor) of `milliseconds`.
    public static func wholeSeconds(_ milliseconds: Int64) -> Int64 {
        milliseconds >= 0 ? milliseconds / 1000 : -((-milliseconds + 999) / 1000)
    }
}

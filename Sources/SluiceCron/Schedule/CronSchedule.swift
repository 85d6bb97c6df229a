public import Foundation

/// A cron expression bound to a time zone: what a schedule fires on, and the pure decision of
/// which tick a scheduler fires now. See ``CronExpression`` for the syntax and the daylight saving
/// time rules, ``TickDecision`` for the catch-up rule.
public struct CronSchedule: Sendable, Hashable {
    public let expression: CronExpression
    public let timeZone: TimeZone

    public init(expression: CronExpression, timeZone: TimeZone) {
        self.expression = expression
        self.timeZone = timeZone
    }

    /// Parses `cron` and looks `timeZone` up in the system's tz database.
    public init(cron: String, timeZone: String = "UTC") throws(CronScheduleError) {
        let expression: CronExpression
        do {
            expression = try CronExpression(cron)
        } catch {
            throw .syntax(error)
        }
        guard let zone = TimeZone(identifier: timeZone) else { throw .unknownTimeZone(timeZone) }
        self.init(expression: expression, timeZone: zone)
    }

    /// The first tick strictly after `date`.
    public func nextFire(after date: Date) -> Date? {
        expression.nextFire(after: date, in: timeZone)
    }

    /// The next `count` ticks strictly after `date`.
    public func fireTimes(after date: Date, count: Int) -> [Date] {
        expression.fireTimes(after: date, in: timeZone, count: count)
    }

    /// Which tick to fire at `now`, given `since`: the last tick fired, or — for a schedule that
    /// never fired, or changed since — when it was created or changed (a new schedule never fires
    /// a tick from before it existed). Ticks due are those strictly after `since`, at or before
    /// `now`; the latest fires, the others are missed (see ``TickDecision``).
    public func decideTick(since: Date, now: Date) -> TickDecision {
        let clock = ZoneClock(zone: timeZone)
        guard let sinceSecond = since.wholeSecondsSinceEpoch, let nowSecond = now.wholeSecondsSinceEpoch else {
            return TickDecision(fire: nil, missed: 0, next: nil)
        }
        let next = expression.nextFire(afterSecond: max(sinceSecond, nowSecond), clock: clock).map(ScheduleTick.init(tickID:))
        guard nowSecond > sinceSecond,
            let latest = expression.previousFire(atOrBeforeSecond: nowSecond, clock: clock),
            latest > sinceSecond
        else {
            return TickDecision(fire: nil, missed: 0, next: next)
        }
        var missed = 0
        var tick = expression.nextFire(afterSecond: sinceSecond, clock: clock)
        while let due = tick, due < latest, missed < TickDecision.missedCountLimit {
            missed += 1
            tick = expression.nextFire(afterSecond: due, clock: clock)
        }
        return TickDecision(fire: ScheduleTick(tickID: latest), missed: missed, next: next)
    }
}

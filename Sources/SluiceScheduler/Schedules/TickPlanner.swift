public import SluiceCron

/// The pure part of firing a schedule: given its cron schedule, the last tick it fired, its last
/// change and Redis's clock, which tick fires now, how many due ticks that one catches up, and
/// when the schedule is next due. No Redis, no clock of its own.
public enum TickPlanner {
    /// What to do with one schedule now.
    public struct Plan: Sendable, Equatable {
        /// The tick to fire: the latest one due, or `nil` when none is.
        public var tick: ScheduleTick?
        /// Older due ticks that do not fire (a catch-up when above 0).
        public var missed: Int
        /// The next tick after now, in ms since the epoch; `nil` when it never fires again.
        public var nextDue: Int64?

        public init(tick: ScheduleTick?, missed: Int, nextDue: Int64?) {
            self.tick = tick
            self.missed = missed
            self.nextDue = nextDue
        }
    }

    /// Ticks after the later of `lastTick` (seconds) and `updatedAt` (ms: creation, the last
    /// `set` or resume) and at or before `now` (ms) are due; the latest fires (see
    /// ``CronSchedule/decideTick(since:now:)``). So a change takes effect at its next tick and
    /// never fires ticks that came due before it.
    public static func plan(_ schedule: CronSchedule, lastTick: Int64?, updatedAt: Int64, now: Int64) -> Plan {
        let changed = CronSchedule.wholeSeconds(updatedAt)
        let decision = schedule.decideTick(sinceSecond: max(lastTick ?? changed, changed), nowMilliseconds: now)
        return Plan(tick: decision.fire, missed: decision.missed, nextDue: decision.next.map { $0.tickID * 1000 })
    }
}

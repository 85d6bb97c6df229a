import Foundation
import SluiceCron
import SluiceScheduler
import Testing

/// The scheduler's pure decision for one schedule, on the store's units (tick ids in seconds,
/// times in ms): no Redis, no waiting.
@Suite("Tick planning")
struct TickPlannerTests {
    func ms(_ text: String) throws -> Int64 {
        let date = try Date(text, strategy: .iso8601)
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    @Test("the first tick after a change fires; ticks before the change never do, even when the scheduler looks late")
    func changeIsTheStartingPoint() throws {
        let schedule = try CronSchedule(cron: "0 * * * *", timeZone: "UTC")
        let changed = try ms("2026-01-01T10:30:00.250Z")
        // Fired at 10:00, changed at 10:30: 10:00 is not fired again, 11:00 is the next.
        let early = TickPlanner.plan(
            schedule, lastTick: try ms("2026-01-01T10:00:00Z") / 1000, updatedAt: changed, now: try ms("2026-01-01T10:59:59.999Z"))
        #expect(early == TickPlanner.Plan(tick: nil, missed: 0, nextDue: try ms("2026-01-01T11:00:00Z")))
        let due = TickPlanner.plan(
            schedule, lastTick: try ms("2026-01-01T10:00:00Z") / 1000, updatedAt: changed, now: try ms("2026-01-01T11:00:00.004Z"))
        #expect(due.tick?.tickID == (try ms("2026-01-01T11:00:00Z")) / 1000)
        #expect(due.missed == 0)
        #expect(due.nextDue == (try ms("2026-01-01T12:00:00Z")))
        // Last fired long before a change made yesterday: only ticks after the change count.
        let late = TickPlanner.plan(
            schedule, lastTick: try ms("2025-12-01T00:00:00Z") / 1000, updatedAt: try ms("2026-01-01T08:10:00Z"), now: try ms("2026-01-01T11:05:00Z"))
        #expect(late.tick?.tickID == (try ms("2026-01-01T11:00:00Z")) / 1000)
        #expect(late.missed == 2, "09:00 and 10:00 came due after the change and are missed; nothing before it counts")
    }

    @Test("a scheduler down over a spring-forward night in Europe/Berlin catches up with the latest tick; the skipped 02:30 is not counted")
    func catchUpAcrossSpringForward() throws {
        let schedule = try CronSchedule(cron: "30 2 * * *", timeZone: "Europe/Berlin")
        // Last fired 2026-03-28 02:30 CET; down until 2026-03-30 09:00 CEST. 03-29 has no 02:30.
        let plan = TickPlanner.plan(
            schedule, lastTick: try ms("2026-03-28T02:30:00+01:00") / 1000, updatedAt: try ms("2026-03-01T00:00:00Z"),
            now: try ms("2026-03-30T09:00:00+02:00"))
        #expect(plan.tick?.tickID == (try ms("2026-03-30T02:30:00+02:00")) / 1000)
        #expect(plan.missed == 0, "the day the clock skipped 02:30 has no tick to miss")
        #expect(plan.nextDue == (try ms("2026-03-31T02:30:00+02:00")))
    }

    @Test("fall back in America/New_York: the repeated 01:30 is not due a second time")
    func fallBack() throws {
        let schedule = try CronSchedule(cron: "30 1 * * *", timeZone: "America/New_York")
        let firstPass = try ms("2026-11-01T01:30:00-04:00")
        let plan = TickPlanner.plan(schedule, lastTick: firstPass / 1000, updatedAt: 0, now: try ms("2026-11-01T01:31:00-05:00"))
        #expect(plan.tick == nil)
        #expect(plan.nextDue == (try ms("2026-11-02T01:30:00-05:00")))
    }

    @Test("next due times on the store's units: strictly after the whole second of now")
    func fireTimesInMilliseconds() throws {
        let schedule = try CronSchedule(cron: "*/2 * * * * *", timeZone: "UTC")
        let now = try ms("2026-01-01T00:00:02.900Z")
        #expect(
            schedule.fireTimes(afterMilliseconds: now, count: 3) == [
                try ms("2026-01-01T00:00:04Z"), try ms("2026-01-01T00:00:06Z"), try ms("2026-01-01T00:00:08Z"),
            ])
        #expect(schedule.nextFire(afterMilliseconds: now) == (try ms("2026-01-01T00:00:04Z")))
        #expect(CronSchedule.wholeSeconds(-1) == -1)
        #expect(CronSchedule.wholeSeconds(1999) == 1)
    }
}

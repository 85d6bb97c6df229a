import Foundation
import SluiceCron
import Testing

/// The scheduler's pure decision: the latest due tick fires, older ones are missed, nothing from
/// before `since` ever fires.
@Suite("Tick decisions and catch-up")
struct TickDecisionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        var zone = "UTC"
        let cron: String
        let since: String
        let now: String
        let fire: String?
        let missed: Int
        let next: String?

        var testDescription: String { label }
    }

    @Test(
        "which tick fires",
        arguments: [
            Case(
                label: "on time, nothing due yet", cron: "0 * * * *", since: "2026-01-01T10:00:00Z", now: "2026-01-01T10:30:00Z",
                fire: nil, missed: 0, next: "2026-01-01T11:00:00Z"),
            Case(
                label: "on time, at the tick", cron: "0 * * * *", since: "2026-01-01T10:00:00Z", now: "2026-01-01T11:00:00Z",
                fire: "2026-01-01T11:00:00Z", missed: 0, next: "2026-01-01T12:00:00Z"),
            Case(
                label: "a little late", cron: "0 * * * *", since: "2026-01-01T10:00:00Z", now: "2026-01-01T11:00:05Z",
                fire: "2026-01-01T11:00:00Z", missed: 0, next: "2026-01-01T12:00:00Z"),
            Case(
                label: "down for three ticks: the latest fires, two are missed", cron: "0 * * * *", since: "2026-01-01T10:00:00Z",
                now: "2026-01-01T13:20:00Z", fire: "2026-01-01T13:00:00Z", missed: 2, next: "2026-01-01T14:00:00Z"),
            Case(
                label: "new schedule: nothing from before its creation", cron: "0 * * * *", since: "2026-01-01T10:30:00Z",
                now: "2026-01-01T10:45:00Z", fire: nil, missed: 0, next: "2026-01-01T11:00:00Z"),
            Case(
                label: "new schedule, first tick", cron: "0 * * * *", since: "2026-01-01T10:30:00Z", now: "2026-01-01T11:00:01Z",
                fire: "2026-01-01T11:00:00Z", missed: 0, next: "2026-01-01T12:00:00Z"),
            Case(
                label: "created at a tick: that tick is not after the creation", cron: "0 * * * *", since: "2026-01-01T11:00:00Z",
                now: "2026-01-01T11:00:30Z", fire: nil, missed: 0, next: "2026-01-01T12:00:00Z"),
            Case(
                label: "new schedule, scheduler late", cron: "0 * * * *", since: "2026-01-01T10:30:00Z", now: "2026-01-01T12:10:00Z",
                fire: "2026-01-01T12:00:00Z", missed: 1, next: "2026-01-01T13:00:00Z"),
            Case(
                label: "now before since (a clock behind): nothing, next after since", cron: "0 * * * *", since: "2026-01-01T10:00:00Z",
                now: "2026-01-01T09:00:00Z", fire: nil, missed: 0, next: "2026-01-01T11:00:00Z"),
            Case(
                label: "missed ticks are counted up to the limit", cron: "* * * * * *", since: "2026-01-01T10:00:00Z",
                now: "2026-01-01T12:00:00Z", fire: "2026-01-01T12:00:00Z", missed: TickDecision.missedCountLimit,
                next: "2026-01-01T12:00:01Z"),
            Case(
                label: "down for a year, yearly schedule", cron: "@yearly", since: "2025-01-01T00:00:00Z", now: "2026-06-01T00:00:00Z",
                fire: "2026-01-01T00:00:00Z", missed: 0, next: "2027-01-01T00:00:00Z"),
            Case(
                label: "never fires", cron: "0 0 30 2 *", since: "2026-01-01T00:00:00Z", now: "2026-06-01T00:00:00Z",
                fire: nil, missed: 0, next: nil),
            Case(
                label: "the repeated 01:30 does not fire again", zone: "America/New_York", cron: "30 1 * * *", since: "2026-11-01T01:30:00-04:00",
                now: "2026-11-01T01:45:00-05:00", fire: nil, missed: 0, next: "2026-11-02T06:30:00Z"),
            Case(
                label: "the skipped 02:30 is not caught up", zone: "America/New_York", cron: "30 2 * * *", since: "2026-03-07T02:30:00-05:00",
                now: "2026-03-08T12:00:00-04:00", fire: nil, missed: 0, next: "2026-03-09T06:30:00Z"),
        ])
    func decide(_ test: Case) throws {
        let schedule = try CronSchedule(cron: test.cron, timeZone: test.zone)
        let decision = schedule.decideTick(since: try date(test.since), now: try date(test.now))
        let utc = try zone("UTC")
        #expect(decision.fire.map { iso($0.date, in: utc) } == test.fire)
        #expect(decision.missed == test.missed)
        #expect(decision.isCatchUp == (test.missed > 0))
        #expect(decision.next.map { iso($0.date, in: utc) } == test.next)
    }

    @Test("deciding again after firing fires nothing: the same tick is never chosen twice")
    func idempotent() throws {
        let schedule = try CronSchedule(cron: "*/5 * * * *", timeZone: "Europe/Berlin")
        let now = try date("2026-10-25T02:47:13+01:00")
        let first = schedule.decideTick(since: try date("2026-10-25T00:00:00+02:00"), now: now)
        let fired = try #require(first.fire)
        #expect(first.isCatchUp)
        let second = schedule.decideTick(since: fired.date, now: now)
        #expect(second.fire == nil)
        #expect(second.next == first.next)
    }

    @Test("a scheduler that looks often fires every tick exactly once, in order, with nothing missed")
    func replay() throws {
        let schedule = try CronSchedule(cron: "0 */20 * * * *", timeZone: "America/New_York")
        let created = try date("2026-10-31T23:00:00-04:00")
        var since = created
        var now = created
        var fired: [Date] = []
        // Look every 7 minutes through the fall-back night.
        for _ in 0..<60 {
            now.addTimeInterval(420)
            let decision = schedule.decideTick(since: since, now: now)
            #expect(decision.missed == 0)
            if let tick = decision.fire {
                fired.append(tick.date)
                since = tick.date
            }
        }
        let expected = schedule.fireTimes(after: created, count: 100).filter { $0 <= now }
        #expect(fired == expected)
        #expect(fired.count == 18)  // seven hours hold 21 ticks; the three in the repeated hour do not fire
    }

    @Test("tick ids are whole seconds since the epoch")
    func tickIDs() throws {
        let tick = try #require(ScheduleTick(try date("2026-01-01T11:00:00Z")))
        #expect(tick.tickID == 1_767_265_200)
        #expect(ScheduleTick(tickID: 1_767_265_200).date == (try date("2026-01-01T11:00:00Z")))
        #expect(ScheduleTick(Date(timeIntervalSince1970: 1_767_265_200.9))?.tickID == 1_767_265_200)
        #expect(ScheduleTick(Date(timeIntervalSince1970: .nan)) == nil)
        #expect(tick.description == "2026-01-01T11:00:00Z")
        #expect(ScheduleTick(tickID: -62_135_596_800).description == "0001-01-01T00:00:00Z")
        #expect(ScheduleTick(tickID: 1) > ScheduleTick(tickID: 0))
    }
}

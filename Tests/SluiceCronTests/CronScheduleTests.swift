import Foundation
import SluiceCron
import Testing

/// A schedule: an expression bound to a zone from the system's tz database.
@Suite("Cron schedules")
struct CronScheduleTests {
    @Test("a schedule is its expression in its zone")
    func schedule() throws {
        let schedule = try CronSchedule(cron: "30 2 * * *", timeZone: "Europe/Berlin")
        let berlin = try zone("Europe/Berlin")
        #expect(iso(schedule.nextFire(after: try date("2026-03-28T12:00:00+01:00")), in: berlin) == "2026-03-30T02:30:00+02:00")
        #expect(
            schedule.fireTimes(after: try date("2026-03-28T12:00:00+01:00"), count: 2).map { iso($0, in: berlin) } == [
                "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00",
            ])
    }

    @Test("unknown time zones are refused by name", arguments: ["Mars/Olympus", "europe/berlin", "", "Europe/Berlin "])
    func unknownZone(name: String) {
        #expect(throws: CronScheduleError.unknownTimeZone(name)) { try CronSchedule(cron: "@daily", timeZone: name) }
        #expect(CronScheduleError.unknownTimeZone(name).description.contains("unknown time zone '\(name)'"))
    }

    @Test("a schedule's syntax errors keep their position")
    func scheduleSyntax() throws {
        do {
            _ = try CronSchedule(cron: "0 0 * * 8", timeZone: "Europe/Berlin")
            Issue.record("expected a syntax error")
        } catch {
            guard case .syntax(let syntax) = error else {
                Issue.record("expected a syntax error, got \(error)")
                return
            }
            #expect(syntax.position == 9)
        }
        let schedule = try CronSchedule(cron: "0 0 * * *", timeZone: "Europe/Berlin")
        #expect(schedule.timeZone.identifier == "Europe/Berlin")
        #expect(try CronSchedule(cron: "@hourly").timeZone.secondsFromGMT() == 0)
    }
}

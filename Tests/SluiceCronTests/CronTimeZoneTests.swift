import Foundation
import SluiceCron
import Testing

/// Ticks on the wall clock of a zone, across both daylight saving time changes of 2026:
/// Europe/Berlin springs forward 02:00 → 03:00 on 03-29 and falls back 03:00 → 02:00 on 10-25;
/// America/New_York springs forward 02:00 → 03:00 on 03-08 and falls back 02:00 → 01:00 on 11-01.
/// A skipped wall time does not fire that day; a repeated one fires once, the first time.
@Suite("Cron in time zones")
struct CronTimeZoneTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let cron: String
        let zone: String
        let after: String
        let expected: [String]

        init(_ cron: String, _ zone: String, after: String, _ expected: [String]) {
            self.cron = cron
            self.zone = zone
            self.after = after
            self.expected = expected
        }

        var testDescription: String { "\(cron) in \(zone) after \(after)" }
    }

    @Test(
        "next fires across daylight saving time",
        arguments: [
            // UTC has no changes: 02:30 fires every day.
            Case("30 2 * * *", "UTC", after: "2026-03-28T12:00:00Z", ["2026-03-29T02:30:00Z", "2026-03-30T02:30:00Z"]),
            Case("30 1 * * *", "UTC", after: "2026-10-31T12:00:00Z", ["2026-11-01T01:30:00Z", "2026-11-02T01:30:00Z"]),
            // Spring forward: 02:30 does not exist on the day of the change, so it is skipped.
            Case(
                "30 2 * * *", "Europe/Berlin", after: "2026-03-27T12:00:00+01:00",
                ["2026-03-28T02:30:00+01:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"]),
            Case(
                "0 30 2 * * *", "Europe/Berlin", after: "2026-03-29T01:59:59+01:00",
                ["2026-03-30T02:30:00+02:00"]),
            Case(
                "30 2 * * *", "America/New_York", after: "2026-03-06T12:00:00-05:00",
                ["2026-03-07T02:30:00-05:00", "2026-03-09T02:30:00-04:00"]),
            Case(
                "*/30 * * * *", "Europe/Berlin", after: "2026-03-29T01:00:00+01:00",
                ["2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"]),
            Case(
                "0 3 * * *", "Europe/Berlin", after: "2026-03-28T12:00:00+01:00",
                ["2026-03-29T03:00:00+02:00", "2026-03-30T03:00:00+02:00"]),
            Case(
                "@daily", "Europe/Berlin", after: "2026-03-28T12:00:00+01:00",
                ["2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"]),
            Case(
                "@hourly", "America/New_York", after: "2026-03-08T00:30:00-05:00",
                ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"]),
            // Fall back: 01:30 exists once in Berlin (the repeated hour is 02:00–02:59) and fires once.
            Case(
                "30 1 * * *", "Europe/Berlin", after: "2026-10-23T12:00:00+02:00",
                ["2026-10-24T01:30:00+02:00", "2026-10-25T01:30:00+02:00", "2026-10-26T01:30:00+01:00"]),
            // 02:30 is shown twice in Berlin: it fires the first time only.
            Case(
                "30 2 * * *", "Europe/Berlin", after: "2026-10-23T12:00:00+02:00",
                ["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]),
            Case(
                "30 2 * * *", "Europe/Berlin", after: "2026-10-25T02:10:00+01:00",
                ["2026-10-26T02:30:00+01:00"]),
            Case(
                "*/30 * * * *", "Europe/Berlin", after: "2026-10-25T01:45:00+02:00",
                ["2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T03:00:00+01:00", "2026-10-25T03:30:00+01:00"]),
            // 01:30 is shown twice in New York: once.
            Case(
                "30 1 * * *", "America/New_York", after: "2026-10-30T12:00:00-04:00",
                ["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
            Case(
                "30 1 * * *", "America/New_York", after: "2026-11-01T01:40:00-04:00",
                ["2026-11-02T01:30:00-05:00"]),
            Case(
                "30 1 * * *", "America/New_York", after: "2026-11-01T01:10:00-05:00",
                ["2026-11-02T01:30:00-05:00"]),
            Case(
                "0 * * * *", "America/New_York", after: "2026-11-01T00:30:00-04:00",
                ["2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00"]),
            Case(
                "0 0 * * * *", "America/New_York", after: "2026-11-01T01:00:00-05:00",
                ["2026-11-01T02:00:00-05:00"]),
            // Lord Howe Island moves its clock by 30 minutes (02:00 → 02:30 on 2026-10-04).
            Case(
                "15 2 * * *", "Australia/Lord_Howe", after: "2026-10-03T12:00:00+10:30",
                ["2026-10-05T02:15:00+11:00"]),
            // Samoa skipped all of 2011-12-30 when it crossed the date line.
            Case(
                "0 12 * * *", "Pacific/Apia", after: "2011-12-29T00:00:00-10:00",
                ["2011-12-29T12:00:00-10:00", "2011-12-31T12:00:00+14:00"]),
            Case("0 12 30 12 *", "Pacific/Apia", after: "2011-12-01T00:00:00-10:00", ["2012-12-30T12:00:00+14:00"]),
            // Zones without daylight saving time, at odd offsets.
            Case("0 9 * * *", "Asia/Kolkata", after: "2026-03-29T00:00:00+05:30", ["2026-03-29T09:00:00+05:30"]),
            Case("45 23 31 12 *", "Asia/Kathmandu", after: "2026-06-01T00:00:00+05:45", ["2026-12-31T23:45:00+05:45"]),
        ])
    func nextFires(_ test: Case) throws {
        let timeZone = try zone(test.zone)
        let expression = try CronExpression(test.cron)
        let fires = expression.fireTimes(after: try date(test.after), in: timeZone, count: test.expected.count)
        #expect(fires.map { iso($0, in: timeZone) } == test.expected)
    }

    @Test(
        "previous fires across daylight saving time",
        arguments: [
            Case("30 1 * * *", "America/New_York", after: "2026-11-01T01:10:00-05:00", ["2026-11-01T01:30:00-04:00"]),
            Case("30 1 * * *", "America/New_York", after: "2026-11-01T01:29:59-04:00", ["2026-10-31T01:30:00-04:00"]),
            Case("30 1 * * *", "America/New_York", after: "2026-11-01T01:30:00-04:00", ["2026-11-01T01:30:00-04:00"]),
            Case("30 1 * * *", "America/New_York", after: "2026-11-01T03:00:00-05:00", ["2026-11-01T01:30:00-04:00"]),
            Case("30 2 * * *", "Europe/Berlin", after: "2026-03-29T12:00:00+02:00", ["2026-03-28T02:30:00+01:00"]),
            Case("*/30 * * * *", "Europe/Berlin", after: "2026-03-29T03:10:00+02:00", ["2026-03-29T03:00:00+02:00"]),
            Case("*/30 * * * *", "Europe/Berlin", after: "2026-03-29T03:00:00+02:00", ["2026-03-29T03:00:00+02:00"]),
            Case("*/30 * * * *", "Europe/Berlin", after: "2026-03-29T02:59:59+02:00", ["2026-03-29T01:30:00+01:00"]),
            Case("*/30 * * * *", "Europe/Berlin", after: "2026-10-25T02:45:00+01:00", ["2026-10-25T02:30:00+02:00"]),
            Case("0 0 1 1 *", "UTC", after: "2026-06-01T00:00:00Z", ["2026-01-01T00:00:00Z"]),
        ])
    func previousFires(_ test: Case) throws {
        let timeZone = try zone(test.zone)
        let previous = try CronExpression(test.cron).previousFire(atOrBefore: try date(test.after), in: timeZone)
        #expect([iso(previous, in: timeZone)] == test.expected)
    }

    @Test("fractions of a second: the next tick is the next whole second, strictly after")
    func fractions() throws {
        let utc = try zone("UTC")
        let everySecond = try CronExpression("* * * * * *")
        let start = try date("2026-01-01T00:00:00Z")
        #expect(everySecond.nextFire(after: start.addingTimeInterval(0.25), in: utc) == start.addingTimeInterval(1))
        #expect(everySecond.nextFire(after: start.addingTimeInterval(-0.25), in: utc) == start)
        #expect(everySecond.previousFire(atOrBefore: start.addingTimeInterval(0.75), in: utc) == start)
        #expect(everySecond.nextFire(after: start, in: utc) == start.addingTimeInterval(1))
        #expect(everySecond.fireTimes(after: start, in: utc, count: 0).isEmpty)
        #expect(everySecond.fireTimes(after: start, in: utc, count: -1).isEmpty)
    }

    @Test("the ends of time: no tick outside the years 1–9999, no crash on any date")
    func extremes() throws {
        let utc = try zone("UTC")
        let daily = try CronExpression("@daily")
        let firstMidnight = Date(timeIntervalSince1970: -62_135_596_800)  // 0001-01-01T00:00:00Z
        let lastMidnight = Date(timeIntervalSince1970: 253_402_214_400)  // 9999-12-31T00:00:00Z
        #expect(daily.nextFire(after: Date(timeIntervalSince1970: -.infinity), in: utc) == firstMidnight)
        #expect(daily.nextFire(after: Date(timeIntervalSince1970: -1e300), in: utc) == firstMidnight)
        #expect(daily.previousFire(atOrBefore: firstMidnight, in: utc) == firstMidnight)
        #expect(daily.previousFire(atOrBefore: firstMidnight.addingTimeInterval(-1), in: utc) == nil)
        #expect(daily.previousFire(atOrBefore: Date(timeIntervalSince1970: -.infinity), in: utc) == nil)
        #expect(daily.nextFire(after: lastMidnight, in: utc) == nil)
        #expect(daily.nextFire(after: Date(timeIntervalSince1970: .infinity), in: utc) == nil)
        #expect(daily.previousFire(atOrBefore: Date(timeIntervalSince1970: .infinity), in: utc) == lastMidnight)
        #expect(daily.nextFire(after: Date(timeIntervalSince1970: .nan), in: utc) == nil)
        #expect(daily.previousFire(atOrBefore: Date(timeIntervalSince1970: .nan), in: utc) == nil)
        #expect(daily.nextFire(after: Date.distantFuture, in: utc).map { $0 > Date.distantFuture } == true)
        #expect(daily.previousFire(atOrBefore: Date.distantFuture, in: utc) == Date.distantFuture)
    }
}

import Foundation
import SluiceCron
import Testing

/// Every form of the syntax, checked by the ticks it gives in UTC after Thursday 2026-01-01 00:00:00.
@Suite("Cron syntax")
struct CronSyntaxTests {
    static let newYear = "2026-01-01T00:00:00Z"

    func fires(_ cron: String, count: Int) throws -> [String] {
        let utc = try zone("UTC")
        return try CronExpression(cron).fireTimes(after: date(Self.newYear), in: utc, count: count).map { iso($0, in: utc) }
    }

    @Test(
        "fields, ranges, steps, lists and names",
        arguments: [
            ("* * * * *", ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"]),
            ("* * * * * *", ["2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z"]),
            ("*/15 * * * *", ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z"]),
            ("30 */20 * * * *", ["2026-01-01T00:00:30Z", "2026-01-01T00:20:30Z", "2026-01-01T00:40:30Z"]),
            ("5-7 * * * *", ["2026-01-01T00:05:00Z", "2026-01-01T00:06:00Z", "2026-01-01T00:07:00Z", "2026-01-01T01:05:00Z"]),
            ("10-50/20 * * * *", ["2026-01-01T00:10:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:50:00Z", "2026-01-01T01:10:00Z"]),
            ("45/5 * * * *", ["2026-01-01T00:45:00Z", "2026-01-01T00:50:00Z", "2026-01-01T00:55:00Z", "2026-01-01T01:45:00Z"]),
            (
                "1,2-3,*/30 * * * *",
                ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z", "2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z"]
            ),
            ("0 9,13,17 * * *", ["2026-01-01T09:00:00Z", "2026-01-01T13:00:00Z", "2026-01-01T17:00:00Z", "2026-01-02T09:00:00Z"]),
            ("00 01 * * *", ["2026-01-01T01:00:00Z", "2026-01-02T01:00:00Z"]),
            (" \t0  0   1 1 *  ", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
            ("0 0 1 JAN,jul *", ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
            ("0 0 1 Oct-DEC *", ["2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2027-10-01T00:00:00Z"]),
            ("0 0 1 */4 *", ["2026-05-01T00:00:00Z", "2026-09-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
            ("0 12 1 2-3/1 *", ["2026-02-01T12:00:00Z", "2026-03-01T12:00:00Z", "2027-02-01T12:00:00Z"]),
            ("0 0 * * MON-FRI", ["2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"]),
            ("0 0 * * 1-5", ["2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"]),
            ("0 0 * * sat,Sun", ["2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-10T00:00:00Z"]),
            ("0 0 * * 0", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
            ("0 0 * * 7", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
            ("0 0 * * FRI-SUN", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-09T00:00:00Z"]),
            ("0 0 * * 5-7", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-09T00:00:00Z"]),
            ("0 0 * * */2", ["2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z"]),
            ("0 0 * * MON/2", ["2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z"]),
            ("0 0 ? * MON", ["2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z"]),
            ("0 0 0 1 * ?", ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]),
            ("0 0 */10 * *", ["2026-01-11T00:00:00Z", "2026-01-21T00:00:00Z", "2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z"]),
            ("0 0 * * * *", ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
            ("59 59 23 31 12 *", ["2026-12-31T23:59:59Z", "2027-12-31T23:59:59Z"]),
            ("0 0 31 * *", ["2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"]),
        ])
    func forms(cron: String, expected: [String]) throws {
        #expect(try fires(cron, count: expected.count) == expected)
    }

    @Test(
        "shorthands fire at the start of their period",
        arguments: [
            ("@yearly", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
            ("@annually", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
            ("@monthly", ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]),
            ("@weekly", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
            ("@daily", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
            ("@midnight", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
            ("@hourly", ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
            ("  @DAILY ", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
        ])
    func shorthands(cron: String, expected: [String]) throws {
        #expect(try fires(cron, count: expected.count) == expected)
    }

    @Test(
        "day-of-month and day-of-week: either when both are restricted, both when one starts with * or ?",
        arguments: [
            ("0 0 13 * FRI", ["2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z"]),
            ("0 0 1,15 * MON", ["2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z", "2026-01-15T00:00:00Z", "2026-01-19T00:00:00Z"]),
            ("0 0 */2 * MON", ["2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z", "2026-02-09T00:00:00Z"]),
            ("0 0 13 * ?", ["2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z"]),
            ("0 0 13 * *", ["2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z"]),
            ("0 0 * * FRI", ["2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z"]),
        ])
    func dayRule(cron: String, expected: [String]) throws {
        #expect(try fires(cron, count: expected.count) == expected)
    }

    @Test("February 29th: only in leap years, found across the eight-year gap around 2100")
    func leapDay() throws {
        let utc = try zone("UTC")
        let leapDay = try CronExpression("0 0 29 2 *")
        #expect(
            leapDay.fireTimes(after: try date(Self.newYear), in: utc, count: 3).map { iso($0, in: utc) } == [
                "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z",
            ])
        #expect(iso(leapDay.nextFire(after: try date("2096-03-01T00:00:00Z"), in: utc), in: utc) == "2104-02-29T00:00:00Z")
        #expect(iso(leapDay.previousFire(atOrBefore: try date("2104-02-28T00:00:00Z"), in: utc), in: utc) == "2096-02-29T00:00:00Z")
        #expect(
            iso(try CronExpression("0 0 0 29 FEB ?").nextFire(after: try date("2027-06-01T00:00:00Z"), in: utc), in: utc) == "2028-02-29T00:00:00Z")
    }

    @Test("expressions that never fire give nil instead of searching forever", arguments: ["0 0 30 2 *", "0 0 31 4 *", "0 0 0 31 2,4,6,9,11 ?"])
    func impossible(cron: String) throws {
        let expression = try CronExpression(cron)
        let utc = try zone("UTC")
        #expect(expression.nextFire(after: try date(Self.newYear), in: utc) == nil)
        #expect(expression.previousFire(atOrBefore: try date(Self.newYear), in: utc) == nil)
        #expect(expression.fireTimes(after: try date(Self.newYear), in: utc, count: 5).isEmpty)
    }

    @Test("the text is kept as written")
    func source() throws {
        let expression = try CronExpression(" */5 * * * MON ")
        #expect(expression.source == " */5 * * * MON ")
        #expect(expression.description == " */5 * * * MON ")
        #expect(try CronExpression("@daily") == CronExpression("@daily"))
    }
}

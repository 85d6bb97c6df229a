import SluiceCron
import Testing

/// Everything outside the syntax is refused with the field, the 1-based column and what was expected.
@Suite("Cron syntax errors")
struct CronErrorTests {
    @Test(
        "errors name the column, the field and what was expected",
        arguments: [
            ("", 1, nil, "empty cron expression"),
            ("   ", 4, nil, "empty cron expression"),
            ("* * * *", 8, nil, "found 4 fields"),
            ("*", 2, nil, "found 1 field"),
            ("* * * * * * *", 13, nil, "year field is not supported"),
            ("61 * * * *", 1, .minute, "61 is out of range; expected a number 0–59"),
            ("60 * * * * *", 1, .second, "60 is out of range"),
            ("* 24 * * *", 3, .hour, "24 is out of range; expected a number 0–23"),
            ("0 0 32 * *", 5, .dayOfMonth, "32 is out of range; expected a number 1–31"),
            ("0 0 0 * *", 5, .dayOfMonth, "0 is out of range"),
            ("0 0 * 13 *", 7, .month, "13 is out of range; expected a number 1–12 or a name JAN–DEC"),
            ("0 0 * * 8", 9, .dayOfWeek, "8 is out of range; expected a number 0–7"),
            ("0 0 * JANUARY *", 7, .month, "unknown name 'JANUARY'"),
            ("0 0 * * MON-FRY", 13, .dayOfWeek, "unknown name 'FRY'"),
            ("0 0 * * JAN", 9, .dayOfWeek, "unknown name 'JAN'; expected a number 0–7 (0 and 7 are Sunday) or a name SUN–SAT"),
            ("JAN * * * *", 1, .minute, "names are not allowed"),
            ("*/0 * * * *", 3, .minute, "step 0 is out of range; expected a step 1–60"),
            ("*/61 * * * *", 3, .minute, "step 61 is out of range"),
            ("*/ * * * *", 3, .minute, "after '/'; expected a step"),
            ("*/x * * * *", 3, .minute, "found 'x' after '/'"),
            ("5-3 * * * *", 3, .minute, "range 5-3 runs backwards"),
            ("0 0 * * SAT-MON", 13, .dayOfWeek, "range 6-1 runs backwards"),
            ("1,,2 * * * *", 3, .minute, "empty list item"),
            ("1, * * * *", 3, .minute, "empty list item, found the end of the field"),
            (",1 * * * *", 1, .minute, "empty list item"),
            ("? * * * *", 1, .minute, "'?' is only allowed in day-of-month and day-of-week"),
            ("0 0 ?/2 * *", 5, .dayOfMonth, "'?' must be the whole field"),
            ("0 0 1,? * *", 7, .dayOfMonth, "'?' must be the whole field"),
            ("0 0 L * *", 5, .dayOfMonth, "'L' (last day) is not supported"),
            ("0 0 15W * *", 7, .dayOfMonth, "'W' (nearest weekday) is not supported"),
            ("0 0 * * 5#3", 10, .dayOfWeek, "'#' (nth weekday of the month) is not supported"),
            ("0 0 * * 5L", 10, .dayOfWeek, "'L' (last day) is not supported"),
            ("*x * * * *", 2, .minute, "unexpected 'x'; expected '/', ',' or the end of the field"),
            ("1-2-3 * * * *", 4, .minute, "unexpected '-'; expected '/', ','"),
            ("1/2/3 * * * *", 4, .minute, "unexpected '/'; expected ','"),
            ("1x * * * *", 2, .minute, "unexpected 'x'; expected '-', '/', ','"),
            ("0 0 * * MON-", 13, .dayOfWeek, "found the end of the field; expected a number 0–7"),
            ("-5 * * * *", 1, .minute, "found '-'; expected a number 0–59"),
            ("1234567890 * * * *", 1, .minute, "number too long"),
            ("0 0 * * 1–5", 10, .dayOfWeek, "unexpected '–'"),
            ("é * * * *", 1, .minute, "unexpected 'é'"),
            ("* * * * 😀", 9, .dayOfWeek, "unexpected '😀'"),
            ("@every 5m", 1, nil, "@every is not supported"),
            ("@reboot", 1, nil, "@reboot is not supported"),
            (
                "@fortnightly", 1, nil,
                "unknown shorthand '@fortnightly'; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"
            ),
            ("@daily *", 8, nil, "@daily stands alone"),
        ] as [(String, Int, CronField?, String)])
    func refused(text: String, position: Int, field: CronField?, fragment: String) {
        do {
            let expression = try CronExpression(text)
            Issue.record("expected '\(text)' to be refused, got \(expression)")
        } catch {
            #expect(error.position == position, "\(text): \(error)")
            #expect(error.field == field, "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(text): \(error)")
            if let field {
                #expect(error.message.hasPrefix("\(field): "), "\(text): \(error)")
            }
        }
    }

    @Test("the description reads as one sentence with the column")
    func description() {
        #expect(throws: CronSyntaxError(position: 3, field: .hour, message: "hour: 24 is out of range; expected a number 0–23")) {
            try CronExpression("* 24 * * *")
        }
        let error = CronSyntaxError(position: 3, field: .hour, message: "hour: 24 is out of range; expected a number 0–23")
        #expect(error.description == "invalid cron expression at column 3: hour: 24 is out of range; expected a number 0–23")
    }
}

import Foundation

/// Times as the console shows and reads them: UTC, to the second on pages, to the minute in
/// filter fields (`<input type="datetime-local">` sends `2026-12-06T13:05`).
enum ConsoleTime {
    /// `2026-12-06 13:05:09Z` for a time in ms.
    static func text(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(
            .iso8601.year().month().day().dateTimeSeparator(.space).time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// The value of a datetime-local field for a time in ms (UTC).
    static func inputValue(_ milliseconds: Int64) -> String {
        String(text(milliseconds).replacingOccurrences(of: " ", with: "T").prefix(16))
    }

    /// Reads `YYYY-MM-DDTHH:MM[:SS]` (UTC, a trailing `Z` allowed) or a date `YYYY-MM-DD`; ms.
    static func parse(_ text: String) -> Int64? {
        var value = text.hasSuffix("Z") ? String(text.dropLast()) : text
        if value.count == 10 { value += "T00:00" }
        if value.count == 16 { value += ":00" }
        guard value.count == 19, let date = try? Date(value + "Z", strategy: .iso8601) else { return nil }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    /// A duration in ms as people read it: `850 ms`, `12.4 s`, `3 min 5 s`, `2 h 4 min`.
    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds < 60_000 { return String(format: "%.1f s", Double(milliseconds) / 1000) }
        let seconds = milliseconds / 1000
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }
}

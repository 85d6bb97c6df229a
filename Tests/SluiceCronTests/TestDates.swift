import Foundation
import Testing

/// Dates written as ISO 8601 text with their offset (`2026-03-29T03:30:00+02:00`), and back, so
/// tables read as the wall clock of the zone they concern.
func date(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "not an ISO 8601 date: \(text)")
}

func iso(_ date: Date?, in zone: TimeZone) -> String {
    guard let date else { return "nil" }
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = zone
    return formatter.string(from: date)
}

func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier), "no time zone \(identifier)")
}

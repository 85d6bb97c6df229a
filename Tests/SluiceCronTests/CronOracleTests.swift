import Foundation
import SluiceCron
import Testing

/// Random expressions checked against a slow, independent oracle: every minute of the next (and
/// previous) 36 hours, its wall clock read by Foundation's Calendar, fields matched by sets built
/// alongside the text, repeated wall times recognised from the zone's offsets. Around the
/// daylight saving time changes of 2026, so the skip and fire-once rules are exercised.
@Suite("Cron against a minute-by-minute oracle")
struct CronOracleTests {
    /// A five-field expression and the values each field matches.
    struct Generated: CustomStringConvertible {
        var text: [String] = []
        var sets: [Set<Int>] = []
        var restricted: [Bool] = []

        var description: String { text.joined(separator: " ") }

        func matches(_ components: DateComponents) -> Bool {
            guard let minute = components.minute, let hour = components.hour, let day = components.day,
                let month = components.month, let weekday = components.weekday
            else { return false }
            guard sets[0].contains(minute), sets[1].contains(hour), sets[3].contains(month) else { return false }
            let dayOfMonth = sets[2].contains(day)
            let dayOfWeek = sets[4].contains(weekday - 1)
            return restricted[2] && restricted[4] ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek
        }
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// A value as a number or a name; a lone Sunday sometimes as 7.
    static func spell(_ value: Int, field: Int, alone: Bool = false, using generator: inout SeededGenerator) -> String {
        let named = Bool.random(using: &generator)
        if field == 3, named { return monthNames[value - 1].lowercased() }
        if field == 4, named { return dayNames[value] }
        if field == 4, value == 0, alone, Bool.random(using: &generator) { return "7" }
        return String(value)
    }

    static func generate(using generator: inout SeededGenerator) -> Generated {
        let ranges = [0...59, 0...23, 1...31, 1...12, 0...6]
        let wildcardOdds = [0.2, 0.5, 0.6, 0.8, 0.6]
        var generated = Generated()
        for (field, range) in ranges.enumerated() {
            let roll = Double.random(in: 0..<1, using: &generator)
            if roll < wildcardOdds[field] {
                if Bool.random(using: &generator) {
                    generated.text.append("*")
                    generated.sets.append(Set(range))
                } else {
                    let step = Int.random(in: 1...max(1, range.count / 3), using: &generator)
                    generated.text.append("*/\(step)")
                    generated.sets.append(Set(stride(from: range.lowerBound, through: range.upperBound, by: step)))
                }
                generated.restricted.append(false)
                continue
            }
            var items: [String] = []
            var values = Set<Int>()
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let low = Int.random(in: range, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0:
                    items.append(spell(low, field: field, alone: true, using: &generator))
                    values.insert(low)
                case 1:
                    let high = Int.random(in: low...range.upperBound, using: &generator)
                    items.append("\(spell(low, field: field, using: &generator))-\(spell(high, field: field, using: &generator))")
                    values.formUnion(low...high)
                default:
                    let high = Int.random(in: low...range.upperBound, using: &generator)
                    let step = Int.random(in: 1...4, using: &generator)
                    items.append("\(low)-\(high)/\(step)")
                    values.formUnion(stride(from: low, through: high, by: step))
                }
            }
            generated.text.append(items.joined(separator: ","))
            generated.sets.append(values)
            generated.restricted.append(true)
        }
        return generated
    }

    /// Instants near the 2026 changes of each zone.
    static let changes: [(zone: String, instant: String)] = [
        ("Europe/Berlin", "2026-03-29T01:00:00Z"), ("Europe/Berlin", "2026-10-25T01:00:00Z"),
        ("America/New_York", "2026-03-08T07:00:00Z"), ("America/New_York", "2026-11-01T06:00:00Z"),
        ("Australia/Lord_Howe", "2026-04-04T15:00:00Z"), ("Australia/Lord_Howe", "2026-10-03T15:30:00Z"),
        ("UTC", "2026-06-15T12:00:00Z"), ("Asia/Kathmandu", "2026-01-01T00:00:00Z"),
    ]

    struct Oracle {
        let zone: TimeZone
        let calendar: Calendar

        init(zone: TimeZone) {
            self.zone = zone
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            self.calendar = calendar
        }

        func wall(_ instant: Date) -> DateComponents {
            calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant)
        }

        /// Whether the wall time at `instant` was already shown earlier (the clock went back).
        func isRepeat(_ instant: Date) -> Bool {
            let shift = zone.secondsFromGMT(for: instant.addingTimeInterval(-86_400)) - zone.secondsFromGMT(for: instant)
            return shift > 0 && wall(instant.addingTimeInterval(-TimeInterval(shift))) == wall(instant)
        }

        func fires(_ expression: Generated, at instant: Date) -> Bool {
            expression.matches(wall(instant)) && !isRepeat(instant)
        }
    }

    static let horizon: TimeInterval = 36 * 3600

    @Test("next and previous fires agree with the oracle", arguments: 0..<8)
    func agree(batch: Int) throws {
        var generator = SeededGenerator(seed: UInt64(1000 + batch))
        for _ in 0..<12 {
            let generated = Self.generate(using: &generator)
            let expression = try CronExpression(generated.description)
            let (zoneName, center) = Self.changes[batch]
            let timeZone = try zone(zoneName)
            let oracle = Oracle(zone: timeZone)
            let start = try date(center).addingTimeInterval(TimeInterval(Int.random(in: -40 * 3600...10 * 3600, using: &generator)))

            let next = expression.nextFire(after: start, in: timeZone)
            var minute = (start.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
            var expectedNext: Date?
            while minute <= start.timeIntervalSince1970 + Self.horizon {
                if oracle.fires(generated, at: Date(timeIntervalSince1970: minute)) {
                    expectedNext = Date(timeIntervalSince1970: minute)
                    break
                }
                minute += 60
            }
            if let expectedNext {
                #expect(next == expectedNext, "\(generated) in \(zoneName) after \(start)")
            } else {
                #expect(next.map { $0.timeIntervalSince(start) > Self.horizon } ?? true, "\(generated) in \(zoneName) after \(start)")
            }

            let previous = expression.previousFire(atOrBefore: start, in: timeZone)
            minute = (start.timeIntervalSince1970 / 60).rounded(.down) * 60
            var expectedPrevious: Date?
            while minute >= start.timeIntervalSince1970 - Self.horizon {
                if oracle.fires(generated, at: Date(timeIntervalSince1970: minute)) {
                    expectedPrevious = Date(timeIntervalSince1970: minute)
                    break
                }
                minute -= 60
            }
            if let expectedPrevious {
                #expect(previous == expectedPrevious, "\(generated) in \(zoneName) at or before \(start)")
            } else {
                #expect(previous.map { start.timeIntervalSince($0) > Self.horizon } ?? true, "\(generated) in \(zoneName) at or before \(start)")
            }
        }
    }
}

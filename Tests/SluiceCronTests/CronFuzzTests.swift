import Foundation
import SluiceCron
import Testing

/// Random and mutated texts: each parses or throws a CronSyntaxError with a position inside (or
/// one past) the text — never a crash — and whatever parses gives ticks that keep the promises
/// of the API, in zones with odd offsets and changes, at dates up to the ends of time.
@Suite("Cron fuzzing")
struct CronFuzzTests {
    static let fragments = [
        "*", "/", "-", ",", "?", " ", " ", " ", "\t", "\n", "0", "1", "2", "5", "7", "12", "23", "24", "29", "31", "59", "60", "99",
        "0", "JAN", "feb", "Dec", "mon", "SUN", "sat", "L", "W", "#", "@", "@daily", "@every", "@hourly", "x", "é", "😀", "\u{301}",
        "\u{0}", "-1", "9999999999", "*/", "/0", "*/7", "1-5", "FRI-SUN", "  ",
    ]

    static let seeds = [
        "*/15 * * * *", "0 30 2 * * *", "0 0 1,15 * MON", "5-7 */2 ? JAN-MAR SUN", "@weekly", "0 0 29 2 *", "59 59 23 31 12 7",
        "10-50/20 0 */6 * * ?", "0 0 * * FRI-SUN",
    ]

    static let zones = [
        "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia", "Pacific/Kiritimati",
        "Pacific/Pago_Pago", "America/St_Johns", "Africa/Casablanca",
    ]

    static func randomDate(using generator: inout SeededGenerator) -> Date {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: Date.distantPast
        case 1: Date.distantFuture
        case 2: Date(timeIntervalSince1970: Double.random(in: -1e12...1e12, using: &generator))
        case 3: Date(timeIntervalSince1970: [Double.infinity, -Double.infinity, Double.nan, 1e300, -1e300].randomElement(using: &generator) ?? 0)
        default: Date(timeIntervalSince1970: Double.random(in: 1.2e9...2.2e9, using: &generator))
        }
    }

    func exercise(_ text: String, using generator: inout SeededGenerator) throws {
        let expression: CronExpression
        do {
            expression = try CronExpression(text)
        } catch {
            #expect((1...text.count + 1).contains(error.position), "\(text.debugDescription): \(error)")
            #expect(!error.message.isEmpty)
            return
        }
        let timeZone = try zone(Self.zones.randomElement(using: &generator) ?? "UTC")
        let start = Self.randomDate(using: &generator)
        if let next = expression.nextFire(after: start, in: timeZone) {
            #expect(next > start, "\(text.debugDescription) in \(timeZone.identifier) after \(start)")
            #expect(next.timeIntervalSince1970 == next.timeIntervalSince1970.rounded(.down))
            #expect(expression.previousFire(atOrBefore: next, in: timeZone) == next, "\(text.debugDescription) in \(timeZone.identifier)")
        }
        if let previous = expression.previousFire(atOrBefore: start, in: timeZone) {
            #expect(previous <= start, "\(text.debugDescription) in \(timeZone.identifier) at or before \(start)")
        }
        let times = expression.fireTimes(after: start, in: timeZone, count: 3)
        #expect(times == times.sorted() && Set(times).count == times.count)
        let decision = CronSchedule(expression: expression, timeZone: timeZone).decideTick(since: start, now: start.addingTimeInterval(86_400 * 3))
        if let fire = decision.fire {
            #expect(fire.date > start && fire.date <= start.addingTimeInterval(86_400 * 3))
        }
        #expect((0...TickDecision.missedCountLimit).contains(decision.missed))
    }

    @Test("random fragment soups")
    func soups() throws {
        var generator = SeededGenerator(seed: 14)
        for _ in 0..<3000 {
            let count = Int.random(in: 0...14, using: &generator)
            let text = (0..<count).map { _ in Self.fragments.randomElement(using: &generator) ?? "" }.joined()
            try exercise(text, using: &generator)
        }
    }

    @Test("mutations of valid expressions")
    func mutations() throws {
        var generator = SeededGenerator(seed: 29)
        for _ in 0..<3000 {
            var characters = Array(Self.seeds.randomElement(using: &generator) ?? "")
            for _ in 0..<Int.random(in: 1...3, using: &generator) where !characters.isEmpty {
                let index = Int.random(in: 0..<characters.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: characters.remove(at: index)
                case 1: characters.insert(Array(Self.fragments.randomElement(using: &generator) ?? "x").first ?? "x", at: index)
                default: characters.swapAt(index, Int.random(in: 0..<characters.count, using: &generator))
                }
            }
            try exercise(String(characters), using: &generator)
        }
    }

    @Test("random bytes")
    func bytes() throws {
        var generator = SeededGenerator(seed: 2026)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...24, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try exercise(String(decoding: bytes, as: UTF8.self), using: &generator)
        }
    }
}

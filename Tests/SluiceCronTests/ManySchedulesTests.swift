import Foundation
import SluiceCron
import Testing

/// The scheduler's load: 10,000 schedules, each with its next fire and tick decision computed.
/// Results are checked here; how fast it goes belongs in the benchmarks.
@Suite("Ten thousand schedules")
struct ManySchedulesTests {
    static let crons = [
        "*/5 * * * *", "0 * * * *", "30 2 * * *", "0 9 * * MON-FRI", "0 0 1 * *", "@daily", "0 */10 * * * *", "15 1 * * SUN",
        "0 0 29 2 *", "0 12 13 * FRI", "*/30 8-18 * * 1-5", "0 0 0 * * ?", "45 23 31 12 *", "@weekly", "7 7 7 7 *",
    ]
    static let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Sao_Paulo"]

    @Test("10,000 next fires and decisions")
    func tenThousand() throws {
        var schedules: [CronSchedule] = []
        for index in 0..<10_000 {
            let cron = Self.crons[index % Self.crons.count]
            let zone = Self.zones[index / Self.crons.count % Self.zones.count]
            schedules.append(try CronSchedule(cron: cron, timeZone: zone))
        }
        let now = try date("2026-10-25T01:17:43Z")
        var fired = 0
        for schedule in schedules {
            let next = try #require(schedule.nextFire(after: now))
            #expect(next > now && next.timeIntervalSince(now) <= 4 * 366 * 86_400)
            let decision = schedule.decideTick(since: now.addingTimeInterval(-3600), now: now)
            #expect(decision.next?.date == next)
            if let tick = decision.fire {
                #expect(tick.date <= now && tick.date > now.addingTimeInterval(-3600))
                fired += 1
            }
        }
        #expect(fired > 0 && fired < schedules.count)
    }
}

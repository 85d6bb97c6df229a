import Foundation
import SluiceCore
import SluiceCron
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

extension WorkerHarness {
    var schedules: ScheduleStore { ScheduleStore(keys: store.keys, settings: store.settings) }

    /// Pushes a script under `path`.
    func pushScript(_ path: String, _ language: ScriptLanguage, _ content: String) throws {
        let scriptPath = try #require(ScriptPath(path))
        _ = try ScriptStore(keys: store.keys).push(path: scriptPath, language: language, content: content, on: try server.connect())
    }

    /// Creates or replaces a schedule the way `sluice schedule set` does: its next tick computed
    /// from the cron expression on Redis's clock.
    @discardableResult
    func setSchedule(_ definition: ScheduleDefinition) throws -> ScheduleRecord {
        let connection = try server.connect()
        let cron = try CronSchedule(cron: definition.cron, timeZone: definition.timeZone)
        let now = try connection.serverMilliseconds()
        try schedules.set(definition, nextDue: cron.nextFire(afterMilliseconds: now), on: connection)
        return try #require(try schedules.schedule(definition.name, on: connection))
    }

    /// Waits (polling, up to `timeout`) until the schedule's recent runs, newest first, satisfy
    /// `done`; returns them as last seen.
    func runs(
        of name: String, timeout: Duration = .seconds(30), until done: @Sendable ([ScheduleRun]) -> Bool
    ) async throws -> [ScheduleRun] {
        let connection = try server.connect()
        let deadline = ContinuousClock.now + timeout
        while true {
            let runs = try schedules.runs(of: name, on: connection)
            if done(runs) || ContinuousClock.now >= deadline { return runs }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until Redis's clock reaches `milliseconds` (for tests that need ticks to go by).
    func waitForRedisClock(_ milliseconds: Int64) async throws {
        let connection = try server.connect()
        while try connection.serverMilliseconds() < milliseconds {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs the built `scheduler` executable on this key space while `body` runs. A process of
    /// its own keeps its timers precise while other tests keep Swift's cooperative threads busy.
    func withSchedulerProcess<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let scheduler = try ChildProcess(
            "scheduler", ["--max-idle", "0.2"],
            environment: server.sluiceEnvironment(prefix: store.keys.prefix, logLevel: "info"))
        defer { scheduler.signal(SIGTERM) }
        return try await body()
    }

    func redisNow() throws -> Int64 {
        try server.connect().serverMilliseconds()
    }
}

import Foundation
import SluiceCore
import SluiceCron
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// Schedules with the built `scheduler` and `sluice` executables as separate processes: two
/// schedulers racing, a scheduler SIGKILLed and restarted, the CLI.
@Suite("Schedules with scheduler processes and the CLI", .serialized, .tags(.processes))
struct ScheduleProcessTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    func environment(_ keys: KeySpace) -> [String: String] {
        server.sluiceEnvironment(prefix: keys.prefix, logLevel: "info")
    }

    @Test("two schedulers racing: every tick of every schedule fires exactly once, none is missed")
    func twoSchedulersRace() async throws {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        try harness.pushScript("f/test/noop", .bash, "true\n")
        let names = (0..<20).map { "race-\($0)" }
        let first = try ChildProcess("scheduler", [], environment: environment(keys))
        let second = try ChildProcess("scheduler", [], environment: environment(keys))
        for name in names {
            try harness.setSchedule(ScheduleDefinition(name: name, path: "f/test/noop", cron: "* * * * * *"))
        }
        for name in names {
            _ = try await harness.runs(of: name) { $0.count >= 4 }
        }
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: .seconds(10)) == 0, "scheduler log: \(first.log)")
        #expect(await second.waitForExit(timeout: .seconds(10)) == 0, "scheduler log: \(second.log)")
        let connection = try server.connect()
        var total = 0
        var jobs = Set<JobID>()
        for name in names {
            let runs = try harness.schedules.runs(of: name, on: connection).reversed().map { $0 }
            #expect(runs.count >= 4, "\(name): \(runs.count) runs")
            let ticks = runs.map(\.tick)
            #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(name): ticks \(ticks) repeat or skip")
            #expect(runs.allSatisfy { $0.kind == .fired && $0.missed == 0 })
            #expect(try harness.schedules.schedule(name, on: connection)?.fired == runs.count)
            total += runs.count
            jobs.formUnion(runs.compactMap(\.job))
        }
        #expect(jobs.count == total, "one job per tick")
        // No worker runs: every job a tick started is still queued, once.
        #expect(try connection.send("LLEN", .string(keys.queue("default"))).integer == Int64(total))
    }

    @Test("a scheduler SIGKILLed and restarted catches up by firing only the latest missed tick, recorded as a catch-up")
    func killedAndRestarted() async throws {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        try harness.pushScript("f/test/noop", .bash, "true\n")
        let doomed = try ChildProcess("scheduler", [], environment: environment(keys))
        try harness.setSchedule(ScheduleDefinition(name: "every-second", path: "f/test/noop", cron: "* * * * * *"))
        let beforeKill = try await harness.runs(of: "every-second") { $0.count >= 2 }
        try #require(beforeKill.count >= 2)
        doomed.signal(SIGKILL)
        _ = await doomed.waitForExit(timeout: .seconds(5))
        let killedAt = try harness.redisNow()
        let lastBefore = try #require(try harness.schedules.runs(of: "every-second", on: try server.connect()).first)
        // Let at least three ticks go by with no scheduler.
        try await harness.waitForRedisClock(killedAt + 3500)
        let restartedAt = try harness.redisNow()
        let restarted = try ChildProcess("scheduler", [], environment: environment(keys))
        let runs = try await harness.runs(of: "every-second") { runs in runs.contains { $0.tick > lastBefore.tick + 1 && $0.kind == .catchUp } }
        // Runs are listed newest first: the restart's catch-up is the earliest after the kill.
        let catchUp = try #require(runs.last { $0.kind == .catchUp && $0.tick > lastBefore.tick }, "runs: \(runs)")
        // It fires a tick due when it ran, not an old one (a restart slowed by a loaded machine may
        // find a later tick due than the one at the restart).
        #expect(catchUp.tick * 1000 <= catchUp.handledAt && catchUp.handledAt >= restartedAt, "the catch-up fires a tick due when it runs")
        #expect(catchUp.tick * 1000 > restartedAt - 2000)
        #expect(catchUp.missed >= 2, "missed \(catchUp.missed)")
        #expect(catchUp.missed == Int(catchUp.tick - lastBefore.tick - 1), "every tick between is counted as missed")
        // Nothing fired for the ticks in between: the run after the last one before the kill is the catch-up.
        let ticks = runs.map(\.tick)
        #expect(!ticks.contains { $0 > lastBefore.tick && $0 < catchUp.tick }, "a missed tick fired: \(ticks)")
        // After the catch-up, one run per tick — or, where the scheduler fell more than a tick
        // behind (a loaded machine), a catch-up again that counts the ticks it skipped: no tick
        // fires twice, none is lost without being counted.
        let later = try await harness.runs(of: "every-second") { $0.first.map { $0.tick >= catchUp.tick + 2 } ?? false }
        let since = Array(later.filter { $0.tick >= catchUp.tick }.reversed())
        for (previous, run) in zip(since, since.dropFirst()) {
            #expect(run.missed == Int(run.tick - previous.tick - 1), "runs since the catch-up: \(since)")
            #expect((run.kind == .catchUp) == (run.missed > 0), "runs since the catch-up: \(since)")
        }
        let catchUps = later.filter { $0.kind == .catchUp }.count
        #expect(try harness.schedules.schedule("every-second", on: try server.connect())?.catchUps == catchUps)
        _ = restarted
    }

    @Test("the CLI: set, list, show, next (without firing), pause, resume, delete")
    func commandLine() async throws {
        let keys = KeySpace.unique()
        let env = environment(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        try harness.pushScript("f/test/report", .bash, "echo ok\n")
        let set = try await runCommand(
            "sluice",
            ["schedule", "set", "nightly", "--path", "f/test/report", "--cron", "0 30 2 * * *", "--timezone", "Europe/Berlin", "-a", "n=1"],
            environment: env)
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("schedule nightly created (version 1)"))
        let next = try await runCommand("sluice", ["schedule", "next", "nightly", "--count", "5"], environment: env)
        #expect(next.status == 0, "\(next.stderr)")
        let lines = next.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        let now = try harness.redisNow()
        let expected = try CronSchedule(cron: "0 30 2 * * *", timeZone: "Europe/Berlin").fireTimes(afterMilliseconds: now, count: 5)
        #expect(lines.map { $0.split(separator: " ").last.map(String.init) } == expected.map { SchedulePresenterTime.utc($0) })
        #expect(lines.allSatisfy { $0.contains("T02:30:00+01:00") || $0.contains("T02:30:00+02:00") })
        #expect(try harness.schedules.runs(of: "nightly", on: try server.connect()).isEmpty, "next fires nothing")
        let tryCron = try await runCommand("sluice", ["schedule", "next", "--cron", "@hourly", "--count", "2"], environment: env)
        #expect(tryCron.stdout.split(separator: "\n").count == 2)
        let list = try await runCommand("sluice", ["schedule", "list"], environment: env)
        #expect(list.stdout.contains("nightly") && list.stdout.contains("Europe/Berlin") && list.stdout.contains("active"))
        let show = try await runCommand("sluice", ["schedule", "show", "nightly", "--json"], environment: env)
        let json = try JSONValue(parsing: show.stdout)
        #expect(json["path"] == "f/test/report")
        #expect(json["args"] == ["n": 1])
        #expect(json["runs"] == [])
        #expect(try await runCommand("sluice", ["schedule", "pause", "nightly"], environment: env).stdout.contains("paused"))
        #expect(try harness.schedules.schedule("nightly", on: try server.connect())?.definition.enabled == false)
        #expect(try await runCommand("sluice", ["schedule", "resume", "nightly"], environment: env).stdout.contains("resumed; next tick"))
        let queues = try await runCommand("sluice", ["queues", "--json"], environment: env)
        #expect(try JSONValue(parsing: queues.stdout)["schedules"]?["count"] == 1)
        #expect(try await runCommand("sluice", ["schedule", "delete", "nightly"], environment: env).status == 0)
        #expect(try harness.schedules.schedule("nightly", on: try server.connect()) == nil)
    }

    @Test(
        "bad schedule input: a clear first line on stderr, non-zero exit, nothing written",
        arguments: [
            (["schedule", "set", "s", "--path", "f/test/report", "--cron", "* 24 * * *"], "hour: 24 is out of range"),
            (
                ["schedule", "set", "s", "--path", "f/test/report", "--cron", "* * * * *", "--timezone", "Mars/Olympus"],
                "unknown time zone 'Mars/Olympus'"
            ),
            (["schedule", "set", "s", "--path", "f/test/report", "--cron", "* * * * *", "--args", "{nope"], "--args is not valid JSON"),
            (["schedule", "set", "s", "--path", "f/test/none", "--cron", "* * * * *"], "no script or flow at 'f/test/none'"),
            (
                ["schedule", "set", "s", "--path", "f/test/report", "--cron", "* * * * *", "--on-failure", "f/test/none"],
                "no script or flow at 'f/test/none'"
            ),
            (["schedule", "set", "s", "--path", "f/test/report", "--cron", "0 0 30 2 *"], "never fires"),
            (["schedule", "set", "s", "--path", "f/test/report", "--cron", "* * * * *", "--retry", "{\"constant\": {}}"], "--retry: no attempts"),
            (["schedule", "set", "a b", "--path", "f/test/report", "--cron", "* * * * *"], "invalid schedule name"),
            (["schedule", "show", "missing"], "no schedule 'missing'"),
            (["schedule", "next", "missing"], "no schedule 'missing'"),
            (["schedule", "pause", "missing"], "no schedule 'missing'"),
            (["schedule", "delete", "missing"], "no schedule 'missing'"),
        ])
    func badInput(arguments: [String], message: String) async throws {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        try harness.pushScript("f/test/report", .bash, "echo ok\n")
        let connection = try server.connect()
        let before = Set((try connection.send("KEYS", .string(keys.prefix + "*")).array ?? []).compactMap(\.string))
        let result = try await runCommand("sluice", arguments, environment: environment(keys))
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").first?.contains(message) == true, "stderr: \(result.stderr)")
        let after = Set((try connection.send("KEYS", .string(keys.prefix + "*")).array ?? []).compactMap(\.string))
        #expect(after == before, "written: \(after.subtracting(before))")
    }
}

/// UTC times as `sluice schedule next` prints them.
enum SchedulePresenterTime {
    static func utc(_ milliseconds: Int64) -> String {
        let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current)
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(style)
    }
}

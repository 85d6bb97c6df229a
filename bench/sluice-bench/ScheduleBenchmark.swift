import ArgumentParser
import Foundation
import SluiceCore
import SluiceCron
import SluiceRedis
import SluiceStore
import SluiceTesting

/// Schedules: computing next fires for many schedules, setting them, then how late scheduler
/// processes fire their ticks — spread over a minute (each schedule once), and in bursts (all at
/// the same second). No worker runs: the figure is the firing (claim, enqueue, record), not the
/// jobs' run time.
struct ScheduleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "Next-fire computation, set rate, memory and firing lateness for many schedules.")

    @Option(help: "How many schedules.") var count: Int = 10_000
    @Option(help: "Bursts of all schedules firing at the same second (every 10 s).") var bursts: Int = 3
    @Option(help: "Scheduler processes racing.") var schedulers: Int = 1
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"

    func run() async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let connection = try environment.connect()
        let store = ScheduleStore(keys: environment.keys)
        guard let path = ScriptPath("f/bench/noop") else { throw CleanExit.message("bad path") }
        _ = try ScriptStore(keys: environment.keys).push(path: path, language: .bash, content: "true\n", on: connection)

        // 1. Next fires, pure: parse and compute the next tick of `count` schedules in a few zones.
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe"]
        let now = try environment.now(connection)
        let computeStart = ContinuousClock.now
        var spread: [(ScheduleDefinition, Int64)] = []
        for index in 0..<count {
            let cron = "\(index % 60) * * * * *"
            let zone = zones[index % zones.count]
            let schedule = try CronSchedule(cron: cron, timeZone: zone)
            guard let next = schedule.nextFire(afterMilliseconds: now) else { throw CleanExit.message("no next fire for \(cron)") }
            spread.append((ScheduleDefinition(name: "s\(index)", path: path.rawValue, cron: cron, timeZone: zone), next))
        }
        let computeMs = milliseconds(ContinuousClock.now - computeStart)
        print(
            "next fire of \(count) schedules (parse + next tick, 5 zones): \(format(computeMs, digits: 1)) ms, "
                + "\(format(computeMs * 1000 / Double(count), digits: 2)) µs per schedule")

        // 2. Set them (one set_schedule call each) with the scheduler(s) already running.
        let processes = try (0..<schedulers).map { _ in try environment.start("scheduler", []) }
        defer { processes.forEach { $0.terminate() } }
        try await Task.sleep(for: .milliseconds(500))
        _ = try connection.send("MEMORY", "PURGE")
        let memoryBefore = try usedMemory(connection)
        let setStart = ContinuousClock.now
        try setAll(spread, store: store, on: connection)
        let setMs = milliseconds(ContinuousClock.now - setStart)
        let memoryAfter = try usedMemory(connection)
        print(
            "set \(count) schedules: \(format(setMs, digits: 0)) ms (\(format(Double(count) / setMs * 1000, digits: 0)) /s); "
                + "Redis memory per schedule: \(format(Double(memoryAfter - memoryBefore) / Double(count), digits: 0)) bytes")

        // 3. Spread: second = index % 60, so each schedule has exactly one tick in any 60 seconds.
        let windowStart = try environment.now(connection) / 1000
        try await waitUntil((windowStart + 62) * 1000, environment: environment, connection: connection)
        let spreadRuns = try runs(count: count, store: store, on: connection).filter { $0.tick > windowStart && $0.tick <= windowStart + 60 }
        report("spread: \(count) schedules, each once a minute (~\(count / 60)/s), \(schedulers) scheduler(s)", spreadRuns, expected: count)

        // 4. Bursts: every schedule on */10 seconds, all due at the same second. Each is set with
        // its real next tick; the bursts measured are those after all are set (and a second more).
        let tenSeconds = try CronSchedule(cron: "*/10 * * * * *", timeZone: "UTC")
        for (definition, _) in spread {
            var changed = definition
            changed.cron = "*/10 * * * * *"
            try store.set(changed, nextDue: tenSeconds.nextFire(afterMilliseconds: try environment.now(connection)), on: connection)
        }
        let setDone = try environment.now(connection)
        let firstBurst = ((setDone + 1000) / 10_000 + 1) * 10
        let lastBurst = firstBurst + Int64(bursts - 1) * 10
        try await waitUntil(lastBurst * 1000 + 9000, environment: environment, connection: connection)
        let burstRuns = try runs(count: count, store: store, on: connection).filter { $0.tick >= firstBurst && $0.tick <= lastBurst }
        report("bursts: \(count) schedules due at the same second, \(bursts) bursts, \(schedulers) scheduler(s)", burstRuns, expected: count * bursts)
        let perBurst = Dictionary(grouping: burstRuns, by: \.tick).values.map { runs in Double(runs.map(\.lateness).max() ?? 0) }
        print(
            "  time to fire a whole burst (its latest run's lateness): \(perBurst.sorted().map { format($0, digits: 0) + " ms" }.joined(separator: ", "))"
        )
    }

    private func setAll(_ definitions: [(ScheduleDefinition, Int64)], store: ScheduleStore, on connection: RedisConnection) throws {
        for (definition, next) in definitions { try store.set(definition, nextDue: next, on: connection) }
    }

    private func runs(count: Int, store: ScheduleStore, on connection: RedisConnection) throws -> [ScheduleRun] {
        var all: [ScheduleRun] = []
        for index in 0..<count { all += try store.runs(of: "s\(index)", on: connection) }
        return all
    }

    private func report(_ title: String, _ runs: [ScheduleRun], expected: Int) {
        let lateness = Summary(runs.map { Double($0.lateness) })
        let ticks = Set(runs.map { "\($0.tick)/\($0.job?.rawValue ?? "")" })
        print("\(title):")
        print(
            "  \(runs.count) of \(expected) ticks fired (\(runs.filter { $0.kind == .catchUp }.count) catch-ups, \(ticks.count) distinct); lateness (handled − tick, Redis clock): "
                + "median \(format(lateness.median, digits: 0)) ms, p90 \(format(lateness.percentile(90), digits: 0)) ms, "
                + "p99 \(format(lateness.percentile(99), digits: 0)) ms, max \(format(lateness.sorted.last ?? 0, digits: 0)) ms")
    }

    private func waitUntil(_ milliseconds: Int64, environment: BenchEnvironment, connection: RedisConnection) async throws {
        while try environment.now(connection) < milliseconds {
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func usedMemory(_ connection: RedisConnection) throws -> Int {
        let info = try connection.send("INFO", "memory").string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }
        return line.flatMap { Int($0.dropFirst("used_memory:".count)) } ?? 0
    }
}

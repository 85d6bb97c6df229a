import ArgumentParser
import Foundation

/// `sluice-chaos`: the fault-injection suite (`make chaos`; `--quick` is the short form inside
/// `make test`). Each scenario runs real processes against a redis-server of its own, hurts them,
/// and audits every job it created. Prints the seed; `CHAOS_SEED=N` (or `--seed N`) replays a run.
@main
struct ChaosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-chaos", abstract: "Fault injection: kills, Redis restarts, stalls, racing schedulers, gates at volume, bad input.")

    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"
    @Option(help: "Seed of every random choice (default: CHAOS_SEED, else random).") var seed: UInt64?
    @Flag(help: "The short form (small counts) run by make test.") var quick = false
    @Option(help: "Run only these scenarios (repeatable: storm, redis-restart, stalls, schedulers, graceful, gates, bad-input, triggers, failover).")
    var scenario: [String] = []
    @Option(help: "Where the scenarios' logs go (default: a new temporary directory).") var directory: String?

    static let names = ["storm", "redis-restart", "stalls", "schedulers", "graceful", "gates", "bad-input", "triggers", "failover"]

    func validate() throws {
        for name in scenario where !Self.names.contains(name) {
            throw ValidationError("unknown scenario '\(name)' (one of \(Self.names.joined(separator: ", ")))")
        }
        if let environmentSeed = ProcessInfo.processInfo.environment["CHAOS_SEED"], !environmentSeed.isEmpty, UInt64(environmentSeed) == nil {
            throw ValidationError("CHAOS_SEED must be an unsigned integer, got '\(environmentSeed)'")
        }
    }

    func run() throws {
        let runSeed = seed ?? ProcessInfo.processInfo.environment["CHAOS_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let scale = quick ? ChaosScale.quick : .full
        let root = URL(fileURLWithPath: directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("sluice-chaos-\(runSeed)").path)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        Console.say("sluice-chaos: seed \(runSeed) (replay with CHAOS_SEED=\(runSeed)), \(quick ? "quick" : "full") scale, logs in \(root.path)")
        var reports: [ScenarioReport] = []
        for name in Self.names where scenario.isEmpty || scenario.contains(name) {
            var random = ChaosRandom.forScenario(name, seed: runSeed)
            let folder = root.appendingPathComponent(name)
            let started = ContinuousClock.now
            Console.say("-- \(name) ...")
            var report: ScenarioReport
            do {
                report = try Self.scenario(name, scale: scale, binaries: binaries, directory: folder, random: &random)
            } catch {
                report = ScenarioReport(name: name, title: "could not run")
                report.problem("\(error)")
            }
            report.figure("scenario wall time", "\(Format.seconds(ContinuousClock.now - started)) s")
            Console.say(report.text)
            reports.append(report)
        }
        let failed = reports.filter { !$0.passed }
        Console.say("sluice-chaos: \(reports.count - failed.count) of \(reports.count) scenarios passed (seed \(runSeed))")
        if !failed.isEmpty { throw ExitCode.failure }
    }

    static func scenario(_ name: String, scale: ChaosScale, binaries: String, directory: URL, random: inout ChaosRandom) throws -> ScenarioReport {
        switch name {
        case "storm": return try StormScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "redis-restart": return try RedisRestartScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "stalls": return try StallScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "schedulers": return try SchedulerScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "graceful": return try GracefulStopScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "gates": return try GateScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "bad-input": return try BadInputScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "triggers": return try TriggerScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        case "failover": return try FailoverScenario(scale: scale, binaries: binaries, directory: directory).run(random: &random)
        default: throw ChaosFailure("scenario \(name) is not written yet")
        }
    }
}

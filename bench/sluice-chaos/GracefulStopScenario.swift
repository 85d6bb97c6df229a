import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore

/// Scenario 5, graceful stop: busy workers get SIGTERM under load (each replaced).
/// A stopped worker finishes what it can within its grace period, kills and hands back the rest
/// at once (no waiting for a lease to expire: the lease here is 60 s), and exits. Every job ends
/// successfully; only jobs a stopped worker handed back run again.
struct GracefulStopScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL
    static let grace = 1.5

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(name: "5-graceful", title: "SIGTERM on busy workers (grace \(Self.grace) s, lease 60 s) under load")
        let cluster = try ChaosCluster(binaries: binaries, directory: directory)
        defer { cluster.stopAll() }
        let recorder = try RunRecorder(directory: directory)
        defer { recorder.stop() }
        let workload = try ChaosWorkload(cluster: cluster, recorderPort: recorder.port)
        let arguments = ["--concurrency", "4", "--lease", "60", "--shutdown-grace", String(Self.grace)]
        try cluster.start(cluster.nextName("scheduler"), executable: "scheduler", [])
        for _ in 0..<2 { try cluster.startWorker(cluster.nextName("worker"), arguments) }
        let requests = (0..<scale.gracefulJobs).map { index in
            workload.scriptJob(python: index % 4 == 0, ms: Int.random(in: 100...scale.gracefulLongest, using: &random))
        }
        try workload.enqueue(requests)
        let connection = try cluster.connect()

        var stopped: [String: ContinuousClock.Instant] = [:]
        var exits: [Double] = []
        var heldAtStop = 0
        for _ in 0..<scale.gracefulStops {
            Thread.sleep(forTimeInterval: Double.random(in: 1...2.5, using: &random))
            guard let victim = cluster.running("worker").randomElement(using: &random), let process = cluster.process(victim) else { continue }
            heldAtStop += try Progress.held(by: victim, keys: cluster.keys, on: connection)
            let signaled = ContinuousClock.now
            stopped[victim] = signaled
            cluster.signal(victim, SIGTERM)
            try cluster.startWorker(cluster.nextName("worker"), arguments)
            process.waitUntilExit()
            exits.append(Format.milliseconds(ContinuousClock.now - signaled))
            if process.terminationStatus != 0 { report.problem("\(victim) exited with status \(process.terminationStatus) after SIGTERM") }
        }
        report.figure("workers stopped with SIGTERM", stopped.count)
        report.figure("jobs they held when signaled", heldAtStop)
        report.figure("SIGTERM → process exited", Percentiles(exits).text(unit: "ms"))
        if let slowest = exits.max(), slowest > (Self.grace + 3) * 1000 { report.problem("a worker took \(Int(slowest)) ms to stop") }

        let ids = requests.map(\.id)
        // Jobs take half the longest duration on average, on 8 slots: give it twice that, and a minute.
        let deadline = ContinuousClock.now + .seconds(60 + Int64(scale.gracefulJobs * scale.gracefulLongest / 8000))
        while try Progress.unfinished(ids, keys: cluster.keys, on: connection) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let events = recorder.events
        var audit = JobAudit(events: events, keys: cluster.keys)
        // A run again is allowed only after an earlier run on a stopped worker that was still going
        // when the grace period ran out: it never reached its end, or reached it only in the last
        // moments of the grace period — its report of the end can overtake the kill, while its
        // process (bash's last line, Python's return) had not yet exited. A run that ended well
        // inside the grace period must have been reported, never run again.
        let endedAt = Dictionary(
            events.filter { $0.kind == .end }.map { ("\($0.job) \($0.worker) \($0.delivery)", $0.at) }, uniquingKeysWith: { first, _ in first })
        let lastMoments = Duration.milliseconds(Int64(Self.grace * 1000) - 200)
        try audit.scripts(
            requests.map { ($0.id, $0.arguments["ms"] ?? .null) }, on: connection,
            duplicateAllowed: { _, runs in
                runs.dropLast().allSatisfy { run in
                    guard let signaled = stopped[run.worker] else { return false }
                    guard let ended = endedAt["\(run.job) \(run.worker) \(run.delivery)"] else { return true }
                    return ended - signaled >= lastMoments
                }
            })
        report.merge(audit)
        // Handed back, not left to its lease: the next run starts within seconds of the stop, not 60 s.
        var restarts: [Double] = []
        for runs in Dictionary(grouping: events.filter { $0.kind == .start }, by: \.job).values where runs.count > 1 {
            for (earlier, later) in zip(runs, runs.dropFirst()) {
                guard let signaled = stopped[earlier.worker] else { continue }
                restarts.append(Format.milliseconds(later.at - signaled))
            }
        }
        report.figure("handed-back job started again, after the SIGTERM", Percentiles(restarts).text(unit: "ms"))
        if let slowest = restarts.max(), slowest > 20_000 { report.problem("a handed-back job waited \(Int(slowest)) ms to run again") }
        let lostBy = try connection.pipeline(ids.map { ["HEXISTS", .string(cluster.keys.job($0)), "lost_by"] }).filter { $0.integer == 1 }.count
        if lostBy > 0 { report.problem("\(lostBy) jobs were recovered by lease expiry instead of being handed back") }
        return report
    }
}

import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// Scenario 3, stalls: Redis stops answering while jobs run — `CLIENT PAUSE` longer than the
/// workers' lease, then `DEBUG SLEEP` longer than the lease and than every client's read timeout
/// (10 s) — and comes back by itself. Nothing may be lost; a job may run twice only as the docs
/// allow (docs/reliability.md), which this scenario counts.
struct StallScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL
    /// The workers' lease.
    static let lease = 2.0

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(
            name: "3-stalls",
            title: "stalls: CLIENT PAUSE \(scale.stallPause) s and DEBUG SLEEP \(scale.stallSleep) s, lease \(Self.lease) s, read timeout 10 s")
        let cluster = try ChaosCluster(binaries: binaries, directory: directory, redisArguments: ["--enable-debug-command", "yes"])
        defer { cluster.stopAll() }
        let recorder = try RunRecorder(directory: directory)
        defer { recorder.stop() }
        let workload = try ChaosWorkload(cluster: cluster, recorderPort: recorder.port)
        try cluster.start(cluster.nextName("scheduler"), executable: "scheduler", [])
        for _ in 0..<2 { try cluster.startWorker(cluster.nextName("worker"), ["--concurrency", "4", "--lease", String(Self.lease)]) }
        let requests = (0..<scale.stallJobs).map { index in
            workload.scriptJob(python: index % 3 == 0, ms: Int.random(in: 200...2500, using: &random))
        }
        try workload.enqueue(requests)
        let connection = try cluster.connect()
        // A connection that outwaits the DEBUG SLEEP.
        var patient = cluster.server.configuration
        patient.commandTimeout = .seconds(Int64(scale.stallSleep) + 10)
        let sleeper = try RedisConnection(configuration: patient)

        Thread.sleep(forTimeInterval: Double.random(in: 1.5...2.5, using: &random))
        var running = try connection.send("ZCARD", .string(cluster.keys.leases)).integer ?? 0
        report.figure("jobs running when CLIENT PAUSE began", Int(running))
        _ = try connection.send("CLIENT", "PAUSE", .string(String(Int(scale.stallPause * 1000))), "ALL").throwingServerError()
        Thread.sleep(forTimeInterval: scale.stallPause + Double.random(in: 1.5...2.5, using: &random))
        running = try connection.send("ZCARD", .string(cluster.keys.leases)).integer ?? 0
        report.figure("jobs running when DEBUG SLEEP began", Int(running))
        _ = try sleeper.send("DEBUG", "SLEEP", .string(String(scale.stallSleep))).throwingServerError()

        let ids = requests.map(\.id)
        let deadline = ContinuousClock.now + .seconds(120)
        while try cluster.withRedis({ try Progress.unfinished(ids, keys: cluster.keys, on: $0) }) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        // A stall is no sign of a dead worker: no running job's lease may be taken back for it
        // (the scheduler gives leases the stalled time back), so no job may run twice.
        var audit = JobAudit(events: recorder.events, keys: cluster.keys)
        try audit.scripts(requests.map { ($0.id, $0.arguments["ms"] ?? .null) }, on: try cluster.connect(), duplicateAllowed: { _, _ in false })
        report.merge(audit)
        let lostBy = try cluster.withRedis { connection in
            try connection.pipeline(ids.map { ["HEXISTS", .string(cluster.keys.job($0)), "lost_by"] }).filter { $0.integer == 1 }.count
        }
        // A lease can still be taken back rightly: a fetch whose reply was lost (the worker's read
        // timed out during DEBUG SLEEP) leaves a job leased to a worker that never heard of it.
        // That job runs once, after its lease; a job that ran twice would be a problem (above).
        report.figure("jobs handed back after their lease (taken by a fetch whose reply was lost), each run once", lostBy)
        let givenBack = try cluster.logLines(containing: "leases given that time back").count
        report.figure(
            "stall gaps the scheduler logged giving leases the time back (a reaping whose reply was lost in DEBUG SLEEP is not logged)", givenBack)
        let survivors = cluster.running("worker").count + cluster.running("scheduler").count
        if survivors != 3 { report.problem("a process did not survive the stalls") }
        return report
    }
}

import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// Scenario 2: Redis killed (`kill -9`) and restarted on the same port from its append-only file,
/// mid-run, once with `appendfsync everysec` and once with `always`, while jobs are being queued
/// and run. Every process must carry on by itself. Measured: the time from the restart to the
/// next job finished, and what was lost — with `always` nothing; with `everysec` at most the last
/// second or so of writes (jobs queued then are gone; jobs finished then run again).
struct RedisRestartScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(name: "2-redis-restart", title: "Redis SIGKILLed and restarted from its AOF mid-run (everysec, always)")
        for mode in ["everysec", "always"] {
            try run(mode: mode, report: &report, random: &random)
        }
        return report
    }

    private func run(mode: String, report: inout ScenarioReport, random: inout ChaosRandom) throws {
        let folder = directory.appendingPathComponent(mode)
        let cluster = try ChaosCluster(binaries: binaries, directory: folder, redisArguments: ["--appendonly", "yes", "--appendfsync", mode])
        defer { cluster.stopAll() }
        let recorder = try RunRecorder(directory: folder)
        defer { recorder.stop() }
        let workload = try ChaosWorkload(cluster: cluster, recorderPort: recorder.port)
        try cluster.start(cluster.nextName("scheduler"), executable: "scheduler", [])
        for _ in 0..<2 { try cluster.startWorker(cluster.nextName("worker"), ["--concurrency", "4", "--lease", "5"]) }

        // Jobs are queued in small batches at a steady pace; Redis dies somewhere in the middle.
        let batches = max(10, scale.restartJobs / 20)
        let killAt = Int.random(in: (batches * 3 / 10)...(batches * 6 / 10), using: &random)
        var jobs: [(id: JobID, result: JSONValue, acknowledged: ContinuousClock.Instant)] = []
        var killedAt = ContinuousClock.now
        var restartedAt = ContinuousClock.now
        var restartedAtRedis: Int64 = 0
        var downtime = Duration.zero
        for batch in 0..<batches {
            if batch == killAt {
                killedAt = ContinuousClock.now
                cluster.server.kill()
                Thread.sleep(forTimeInterval: Double.random(in: 0.3...1.0, using: &random))
                try cluster.server.start()
                restartedAt = ContinuousClock.now
                downtime = restartedAt - killedAt
                restartedAtRedis = try cluster.now()
            }
            let requests = (0..<20).map { _ in workload.scriptJob(python: Bool.random(using: &random), ms: Int.random(in: 0...30, using: &random)) }
            try workload.enqueue(requests)
            let acknowledged = ContinuousClock.now
            jobs += requests.map { ($0.id, $0.arguments["ms"] ?? .null, acknowledged) }
            if batch == killAt {
                report.figure(
                    "\(mode): time from restart to the next job finished", try recovery(cluster, since: restartedAtRedis, started: restartedAt))
            }
            Thread.sleep(forTimeInterval: 0.1)
        }

        // What the AOF kept: jobs acknowledged before the kill that are gone were lost with Redis.
        let connection = try cluster.connect()
        let exists = try connection.pipeline(jobs.map { ["EXISTS", .string(cluster.keys.job($0.id))] })
        var present: [(id: JobID, result: JSONValue)] = []
        var lostAges: [Double] = []
        for (job, reply) in zip(jobs, exists) {
            if reply.integer == 1 {
                present.append((job.id, job.result))
            } else {
                lostAges.append(Format.milliseconds(killedAt - job.acknowledged))
            }
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while try Progress.unfinished(present.map(\.id), keys: cluster.keys, on: connection) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        report.figure("\(mode): Redis down for", "\(Int(Format.milliseconds(downtime))) ms")
        report.figure("\(mode): jobs queued (acknowledged)", jobs.count)
        let oldest = lostAges.max().map { "\(Int($0)) ms before the kill" } ?? "-"
        report.figure("\(mode): acknowledged jobs lost with Redis", "\(lostAges.count) (oldest acknowledged \(oldest))")
        if mode == "always", !lostAges.isEmpty { report.problem("always: \(lostAges.count) acknowledged jobs lost") }
        if mode == "everysec", let oldest = lostAges.max(), oldest > 2000 {
            report.problem("everysec: a job acknowledged \(Int(oldest)) ms before the kill was lost (more than the last second or two)")
        }
        var audit = JobAudit(events: recorder.events, keys: cluster.keys)
        // With everysec, a job whose start or end was among the lost writes runs again.
        try audit.scripts(present, on: connection, duplicateAllowed: { _, _ in mode == "everysec" })
        for (name, value) in audit.figures { report.figure("\(mode): \(name)", value) }
        for problem in audit.problems { report.problem("\(mode): \(problem)") }
        let survivors = cluster.running("worker").count + cluster.running("scheduler").count
        report.figure("\(mode): processes still running at the end (of 3)", survivors)
        if survivors != 3 { report.problem("\(mode): a process did not survive the restart") }
    }

    /// The time from the restart until a job finished after it (on Redis's clock: its `finished_at`
    /// in the finished index), as seen by polling.
    private func recovery(_ cluster: ChaosCluster, since restart: Int64, started: ContinuousClock.Instant) throws -> String {
        let connection = try cluster.connect()
        let deadline = started + .seconds(30)
        while ContinuousClock.now < deadline {
            let first = try connection.send(
                "ZRANGEBYSCORE", .string(cluster.keys.finished("default")), .string(String(restart)), "+inf", "WITHSCORES", "LIMIT", "0", "1")
            if let score = first.array?.last?.string.flatMap({ Int64($0) }) {
                return "\(score - restart) ms (Redis clock)"
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return "none within 30 s"
    }
}

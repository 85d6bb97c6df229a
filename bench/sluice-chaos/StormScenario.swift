import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore

/// Scenario 1, the SIGKILL storm: three workers with a short lease and a scheduler; script jobs
/// (bash and Python, random short durations) and three-step flows; every 1–2 s a random worker
/// is SIGKILLed and replaced. Expect: nothing lost; only jobs in flight at a kill run again
/// (each duplicate is explained by a lease the scheduler took back from a killed worker); every
/// flow's steps once each, in order.
struct StormScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(name: "1-storm", title: "SIGKILL storm: 3 workers (lease 2 s), a worker SIGKILLed every 1–2 s")
        let cluster = try ChaosCluster(binaries: binaries, directory: directory)
        defer { cluster.stopAll() }
        let recorder = try RunRecorder(directory: directory)
        defer { recorder.stop() }
        let workload = try ChaosWorkload(cluster: cluster, recorderPort: recorder.port)
        let workerArguments = ["--concurrency", "4", "--lease", "2", "--shutdown-grace", "1"]
        try cluster.start(cluster.nextName("scheduler"), executable: "scheduler", ["--reap-interval", "0.25"])
        for _ in 0..<3 { try cluster.startWorker(cluster.nextName("worker"), workerArguments) }

        var jobs: [(id: JobID, result: JSONValue)] = []
        var requests: [EnqueueRequest] = []
        for index in 0..<scale.stormJobs {
            let ms = Self.duration(&random)
            let request = workload.scriptJob(python: index % 2 == 1, ms: ms)
            requests.append(request)
            jobs.append((request.id, .number(Double(ms))))
        }
        requests.shuffle(using: &random)
        let begin = ContinuousClock.now
        try workload.enqueue(requests)
        var flows: [(id: JobID, n: Int)] = []
        let connection = try cluster.connect()
        for index in 0..<scale.stormFlows {
            let n = index * 10
            flows.append((try workload.startFlow(n: n, ms: Int.random(in: 0...40, using: &random), on: connection), n))
        }

        let ids = jobs.map(\.id) + flows.map(\.id)
        var killed: Set<String> = []
        var inFlightAtKills = 0
        let deadline = ContinuousClock.now + .seconds(Int64(60 + scale.stormJobs / 20))
        while ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: Double.random(in: 1...2, using: &random))
            if try Progress.unfinished(ids, keys: cluster.keys, on: connection) == 0 { break }
            guard let victim = cluster.running("worker").randomElement(using: &random) else { continue }
            inFlightAtKills += try Progress.held(by: victim, keys: cluster.keys, on: connection)
            cluster.kill(victim)
            killed.insert(victim)
            try cluster.startWorker(cluster.nextName("worker"), workerArguments)
        }
        let elapsed = ContinuousClock.now - begin
        report.figure("workers SIGKILLed (and replaced)", killed.count)
        report.figure("jobs held by a worker when it was killed", inFlightAtKills)
        report.figure("time to finish everything", "\(Format.seconds(elapsed)) s")

        var audit = JobAudit(events: recorder.events, keys: cluster.keys)
        let allowed: JobAudit.DuplicateReason = { job, _ in job.extra["lost_by"].map { killed.contains($0) } ?? false }
        try audit.scripts(jobs, on: connection, duplicateAllowed: allowed)
        try audit.flows(flows, on: connection, duplicateAllowed: allowed)
        report.merge(audit)
        if audit.ranTwice > inFlightAtKills {
            report.problem("\(audit.ranTwice) jobs ran more than once, but only \(inFlightAtKills) were held by the workers killed")
        }
        report.figure("run reports cut off mid-line (a script killed while reporting)", recorder.malformedLines)
        return report
    }

    /// A job's duration: most run at once, some for up to half a second.
    static func duration(_ random: inout ChaosRandom) -> Int {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<6: 0
        case 6..<9: Int.random(in: 1...100, using: &random)
        default: Int.random(in: 100...500, using: &random)
        }
    }
}

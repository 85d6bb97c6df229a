import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// Scenario 8, triggers under fire: webhook deliveries — each with an `Idempotency-Key`, a fifth
/// of them sent twice — while the resumer is SIGKILLed three times and Redis is killed with
/// `kill -9` and restarted from its append-only file (`appendfsync always`: an acknowledged
/// delivery must be on disk). Every delivery is retried until it gets an answer, as senders do.
/// Each key answered `201` started exactly one run — the same id for every answer of that key —
/// and that run finished; nothing else ran.
struct TriggerScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(
            name: "8-triggers", title: "webhook deliveries (a fifth sent twice) while the resumer is SIGKILLed and Redis restarts from its AOF")
        let cluster = try ChaosCluster(binaries: binaries, directory: directory, redisArguments: ["--appendonly", "yes", "--appendfsync", "always"])
        defer { cluster.stopAll() }
        let recorder = try RunRecorder(directory: directory)
        defer { recorder.stop() }
        let workload = try ChaosWorkload(cluster: cluster, recorderPort: recorder.port)
        let setup = try cluster.connect()
        guard let path = ScriptPath("f/chaos/hook"), let scope = TokenScope("run:f/chaos/*") else { throw ChaosFailure("bad path") }
        _ = try ScriptStore(keys: cluster.keys).push(path: path, language: .bash, content: workload.bashScript(result: #""$ms""#), on: setup)
        let token = try TokenStore(keys: cluster.keys).create(name: "chaos", scopes: [scope], expiresAt: nil, createdBy: "chaos", on: setup)
        let port = try RedisServer.freePort()
        let resumerArguments = ["--port", String(port), "--public-url", "http://127.0.0.1:\(port)"]
        try cluster.start("resumer-1", executable: "resumer", resumerArguments)
        try cluster.start(cluster.nextName("scheduler"), executable: "scheduler", [])
        for _ in 0..<2 { try cluster.startWorker(cluster.nextName("worker"), ["--concurrency", "4", "--lease", "3"]) }

        // The deliveries: one per key, a fifth of the keys delivered twice at different moments.
        let target = "/api/w/\(cluster.keys.name)/jobs/run/p/f/chaos/hook"
        let start = ContinuousClock.now + .milliseconds(500)
        let spread = max(4000, scale.deliveries * 3)
        var items: [RequestStorm.Item] = []
        for key in 0..<scale.deliveries {
            let copies = key % 5 == 0 ? 2 : 1
            let body = Array(#"{"ms": \#(Int.random(in: 0...20, using: &random))}"#.utf8)
            for copy in 0..<copies {
                items.append(
                    RequestStorm.Item(
                        key: "\(key) \(copy)",
                        bytes: RawHTTP.request(
                            "POST", target,
                            headers: [
                                ("Content-Type", "application/json"), ("Authorization", "Bearer " + token.text), ("Idempotency-Key", "k-\(key)"),
                            ],
                            body: body),
                        notBefore: start + .milliseconds(Int64.random(in: 0...Int64(spread), using: &random)),
                        abandonFirst: Int.random(in: 0..<6, using: &random) == 0))
            }
        }
        report.figure("deliveries (keys, copies)", "\(items.count) (\(scale.deliveries) keys)")
        let storm = RequestStorm(port: port, items: items, threads: 8)
        storm.start()
        var resumerNumber = 1
        var redisRestarts = 0
        for round in 0..<4 {
            Thread.sleep(forTimeInterval: Double.random(in: 0.6...1.2, using: &random))
            if round == 2 {
                cluster.server.kill()
                Thread.sleep(forTimeInterval: Double.random(in: 0.3...0.8, using: &random))
                try cluster.server.start()
                redisRestarts += 1
            } else {
                cluster.kill("resumer-\(resumerNumber)")
                Thread.sleep(forTimeInterval: Double.random(in: 0.1...0.4, using: &random))
                resumerNumber += 1
                try cluster.start("resumer-\(resumerNumber)", executable: "resumer", resumerArguments)
            }
        }
        while !storm.isDone { Thread.sleep(forTimeInterval: 0.1) }
        report.figure("resumer SIGKILLs (and restarts)", resumerNumber - 1)
        report.figure("Redis kill -9 and restarts", redisRestarts)

        // Every answer: 201 and an id; the copies of a key agree.
        var byKey: [Int: Set<String>] = [:]
        var statuses: [Int: Int] = [:]
        var retried = 0
        for (name, outcome) in storm.outcomes {
            statuses[outcome.status, default: 0] += 1
            if outcome.attempts > 1 { retried += 1 }
            guard let key = Int(name.split(separator: " ")[0]) else { continue }
            if outcome.status == 201 {
                byKey[key, default: []].insert(outcome.body)
            } else {
                report.problem("delivery \(name) finally got \(outcome.status): \(outcome.body.prefix(120))")
            }
        }
        report.figure("answers by status", statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        report.figure("deliveries that needed a retry", retried)
        if storm.outcomes.count != items.count { report.problem("\(items.count - storm.outcomes.count) deliveries never got an answer") }
        for (key, ids) in byKey where ids.count != 1 { report.problem("key \(key) was answered with \(ids.count) different runs: \(ids.sorted())") }
        let answered = Set(byKey.values.compactMap(\.first).compactMap(JobID.init))

        // Exactly those runs exist, and each finished (on a connection opened after Redis's restart).
        let connection = try cluster.connect()
        let deadline = ContinuousClock.now + .seconds(90)
        while try Progress.unfinished(Array(answered), keys: cluster.keys, on: connection) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let store = JobStore(keys: cluster.keys)
        var runs: Set<String> = []
        var cursor = "0"
        repeat {
            let reply = try connection.send(["SCAN", .string(cursor), "MATCH", .string(cluster.keys.namespace + "job:*"), "COUNT", "1000"])
            let parts = reply.array ?? []
            cursor = parts.first?.string ?? "0"
            for key in parts.dropFirst().first?.array?.compactMap(\.string) ?? [] where key.split(separator: ":").count == 3 {
                if let id = key.split(separator: ":").last.flatMap({ JobID(String($0)) }), try store.job(id, on: connection)?.path == path.rawValue {
                    runs.insert(id.rawValue)
                }
            }
        } while cursor != "0"
        report.figure("runs started", runs.count)
        if runs.count != byKey.count { report.problem("\(runs.count) runs for \(byKey.count) keys answered 201") }
        let extra = runs.subtracting(answered.map(\.rawValue))
        if !extra.isEmpty { report.problem("\(extra.count) runs no answer named (e.g. \(extra.sorted().prefix(3)))") }
        var unfinished = 0
        for id in answered where try store.job(id, on: connection)?.state != .success { unfinished += 1 }
        if unfinished > 0 { report.problem("\(unfinished) answered runs did not succeed") }
        let started = Set(recorder.events.filter { $0.kind == .start }.map(\.job))
        let neverRan = answered.filter { !started.contains($0.rawValue) }
        if !neverRan.isEmpty { report.problem("\(neverRan.count) answered runs never ran") }
        return report
    }
}

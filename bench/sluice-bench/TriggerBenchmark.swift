import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Triggers: how long from a webhook's POST to its job starting, and how many deliveries one
/// resumer accepts a second — against the same figures for `sluice run` (a CLI process per run).
struct TriggerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triggers", abstract: "Webhook to job start (median, p99) and accepted deliveries per second, against sluice run.")

    @Option(help: "Runs measured one at a time, each way.") var samples: Int = 200
    @Option(help: "Deliveries for the throughput figure.") var deliveries: Int = 5000
    @Option(help: "Concurrent senders (HTTP) or sluice run processes.") var parallel: Int = 16
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"

    func run() async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let connection = try environment.connect()
        let port = try RedisServer.freePort()
        guard let path = ScriptPath("f/bench/hook"), let scope = TokenScope("run:f/bench/*") else { throw CleanExit.message("bad path") }
        _ = try ScriptStore(keys: environment.keys).push(path: path, language: .bash, content: "echo ok\n", on: connection)
        let token = try TokenStore(keys: environment.keys).create(name: "bench", scopes: [scope], expiresAt: nil, createdBy: "bench", on: connection)
        let worker = try environment.start("worker", ["--concurrency", "8", "--sandbox", "none", "--allow-unauthenticated-redis"])
        let resumer = try environment.start("resumer", ["--port", String(port)])
        defer { environment.stop(worker, resumer) }
        try await Task.sleep(for: .milliseconds(800))
        let jobs = JobStore(keys: environment.keys)
        let url = "http://127.0.0.1:\(port)/api/w/\(environment.keys.name)/jobs/run/p/f/bench/hook"

        func post() async throws -> JobID {
            var request = URLRequest(url: URL(string: url) ?? URL(fileURLWithPath: "/"))
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer " + token.text, forHTTPHeaderField: "Authorization")
            request.httpBody = Data("{}".utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            guard (response as? HTTPURLResponse)?.statusCode == 201, let id = JobID(String(decoding: data, as: UTF8.self)) else {
                throw CleanExit.message("delivery refused: \(response)")
            }
            return id
        }
        func cli() throws -> JobID {
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: binaries + "/sluice")
            process.arguments = ["run", path.rawValue]
            process.environment = ProcessInfo.processInfo.environment.merging(environment.server.sluiceEnvironment(prefix: environment.keys.prefix)) {
                $1
            }
            process.standardOutput = output
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            guard let id = JobID(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw CleanExit.message("sluice run printed \(text)") }
            return id
        }
        func started(_ id: JobID) async throws -> Int64 {
            for _ in 0..<20_000 {
                if let started = try jobs.job(id, on: connection)?.startedAt { return started }
                try await Task.sleep(for: .microseconds(250))
            }
            throw CleanExit.message("job \(id) never started")
        }

        // Latency: sent (Redis clock, read just before) → the job started (Redis clock).
        var webhook: [Double] = []
        var command: [Double] = []
        for index in 0..<(samples + 10) {
            let sentWebhook = try environment.now(connection)
            let viaWebhook = try await post()
            let webhookStart = try await started(viaWebhook)
            let sentCommand = try environment.now(connection)
            let viaCommand = try cli()
            let commandStart = try await started(viaCommand)
            guard index >= 10 else { continue }
            webhook.append(Double(webhookStart - sentWebhook))
            command.append(Double(commandStart - sentCommand))
        }
        let hook = Summary(webhook)
        let run = Summary(command)
        print("sent → job started, idle worker, \(samples) runs each way (Redis clock, 1 ms resolution):")
        print("  webhook (POST run/p, token):  median \(format(hook.median, digits: 0)) ms, p99 \(format(hook.percentile(99), digits: 0)) ms")
        print("  sluice run (a CLI process):   median \(format(run.median, digits: 0)) ms, p99 \(format(run.percentile(99), digits: 0)) ms")

        // Throughput: deliveries accepted (201) per second by one resumer, `parallel` senders.
        let deliveries = deliveries
        let parallel = parallel
        let began = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<parallel {
                group.addTask {
                    for _ in stride(from: sender, to: deliveries, by: parallel) { _ = try await post() }
                }
            }
            try await group.waitForAll()
        }
        let sending = ContinuousClock.now - began
        let webhookRate = Double(deliveries) / (Double(sending.components.seconds) + Double(sending.components.attoseconds) / 1e18)
        let commands = min(deliveries, 400)
        let commandBegan = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<parallel {
                group.addTask {
                    for _ in stride(from: sender, to: commands, by: parallel) { _ = try cli() }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - commandBegan
        let commandRate = Double(commands) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print("accepted per second, \(parallel) at once:")
        print("  webhook deliveries (one resumer): \(format(webhookRate, digits: 0))/s over \(deliveries)")
        print("  sluice run processes:             \(format(commandRate, digits: 0))/s over \(commands)")
    }
}

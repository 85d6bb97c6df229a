import ArgumentParser
import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting

/// Flow latency and throughput: flows of N identity steps on one idle worker process.
struct FlowBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows", abstract: "End-to-end latency of identity flows, and flows/s with many in parallel.")

    @Option(help: "Identity steps per flow (repeatable).") var steps: [Int] = [3, 10]
    @Option(help: "Flows measured one at a time for latency.") var samples: Int = 500
    @Option(help: "Flows started together for throughput.") var parallel: Int = 1000
    @Option(help: "The worker's --concurrency.") var concurrency: Int = 8
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"
    @Option(help: "About this many bytes of rows in each flow's input, which every identity step passes on (0: {\"n\": 1} only).")
    var inputBytes: Int = 0

    func run() async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let connection = try environment.connect()
        let flows = FlowStore(keys: environment.keys)
        let jobs = JobStore(keys: environment.keys)
        let worker = try environment.start("worker", ["--concurrency", String(concurrency)])
        defer { environment.stop(worker) }
        try await Task.sleep(for: .milliseconds(500))
        let engine = FlowEngine(flows: flows)
        let input = Self.input(bytes: inputBytes)
        let carrying = inputBytes > 0 ? ", input \(input.jsonText.utf8.count) bytes" : ""
        for count in steps {
            let modules = (0..<count).map { "    - id: s\($0)\n      value: {type: identity}" }.joined(separator: "\n")
            guard let path = ScriptPath("f/bench/identity\(count)") else { return }
            _ = try engine.push(path: path, text: "value:\n  modules:\n\(modules)\n", on: connection)
            guard let stored = try flows.flow(at: path.rawValue, on: connection) else { return }
            func start() throws -> JobID {
                let id = JobID.generate()
                try engine.start(FlowEngine.Start(id: id, path: path.rawValue, input: input), version: stored, on: connection)
                return id
            }
            // Warm-up: the worker reads and parses the flow once.
            for _ in 0..<20 { _ = try jobs.wait(for: try start(), timeout: .seconds(10), on: connection) }
            var latencies: [Double] = []
            for _ in 0..<samples {
                let begin = ContinuousClock.now
                let id = try start()
                let done = try jobs.wait(for: id, timeout: .seconds(10), on: connection)
                let elapsed = ContinuousClock.now - begin
                guard done?.state == .success else { throw CleanExit.message("flow \(id) did not succeed: \(done?.error ?? "?")") }
                latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
            let summary = Summary(latencies)
            print(
                "\(count)-step identity flow\(carrying), idle worker (concurrency \(concurrency)), \(samples) runs: "
                    + "median \(format(summary.median, digits: 2)) ms, p99 \(format(summary.percentile(99), digits: 2)) ms")

            let redisBefore = try RedisCPUSample(on: connection)
            let workerBefore = ProcessCPUTime.of(pid: worker.processIdentifier)
            let begin = ContinuousClock.now
            var ids: [JobID] = []
            for _ in 0..<parallel { ids.append(try start()) }
            for id in ids {
                guard try jobs.wait(for: id, timeout: .seconds(120), on: connection)?.state == .success else {
                    throw CleanExit.message("flow \(id) did not succeed")
                }
            }
            let elapsed = ContinuousClock.now - begin
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "\(parallel) \(count)-step flows\(carrying) in parallel: \(format(seconds, digits: 2)) s, \(format(Double(parallel) / seconds, digits: 0)) flows/s, "
                    + "\(format(Double(parallel * count) / seconds, digits: 0)) step transitions/s")
            let redisAfter = try RedisCPUSample(on: connection)
            let workerCPU = ProcessCPUTime.of(pid: worker.processIdentifier).flatMap { after in
                workerBefore.map { (after - $0) * 1e6 / Double(parallel) }
            }
            print(
                "  CPU per flow: Redis \(format(redisBefore.microsecondsPerJob(until: redisAfter, jobs: parallel), digits: 1)) µs "
                    + "(in scripts \(format(redisBefore.scriptMicrosecondsPerJob(until: redisAfter, jobs: parallel), digits: 1)) µs)"
                    + (workerCPU.map { ", worker \(format($0, digits: 1)) µs" } ?? ""))
            print("  Redis commands per flow (calls×, time): \(redisBefore.commandSummary(until: redisAfter, jobs: parallel, top: 16))")
        }
    }

    /// A flow input of `{"n": 1}` and, for `bytes` > 0, rows of about that many bytes in all — text
    /// with quotes, as real data has, so it must be escaped inside other JSON.
    static func input(bytes: Int) -> JSONValue {
        guard bytes > 0 else { return ["n": 1] }
        let row = { (index: Int) -> JSONValue in ["id": .number(Double(index)), "name": .string("item \(index)"), "note": "says \"hi\""] }
        let rowBytes = row(0).jsonText.utf8.count + 1
        return ["n": 1, "rows": .array((0..<max(1, bytes / rowBytes)).map(row))]
    }
}

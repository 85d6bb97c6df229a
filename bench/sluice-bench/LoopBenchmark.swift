import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting

/// Big fan-outs: a for loop of many identity iterations (with a parallelism bound) and a
/// branchall of many parallel branches, run by one worker process. Reports step transitions/s,
/// and Redis memory while the flow runs and after it ends — the flow's state must not grow with
/// the iterations already done, nor be rewritten whole at each step.
struct LoopBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "loops", abstract: "Transitions/s and memory of big loops and branchalls.")

    @Option(help: "Iterations of the for loop.") var iterations: Int = 10_000
    @Option(help: "The loop's parallelism.") var parallelism: Int = 50
    @Option(help: "Parallel branches of the branchall.") var branches: Int = 1000
    @Option(help: "The worker's --concurrency.") var concurrency: Int = 8
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"
    @Option(
        help:
            "Before the for loop, a step whose result (the flow's input) has about this many bytes of rows (0: no such step); each iteration's step then returns 1 (a mock), and the branchall is skipped."
    )
    var inputBytes: Int = 0

    func run() async throws {
        // With data: an identity step first, whose result — the whole input — is the loop's previous result.
        let data = inputBytes > 0 ? "\n    - id: data\n      value: {type: identity}" : ""
        let loop = """
            value:
              modules:\(data)
                - id: loop
                  value:
                    type: forloopflow
                    iterator: {type: javascript, expr: '"x".repeat(flow_input.n).split("").map((c, i) => i)'}
                    parallel: true
                    parallelism: {type: static, value: \(parallelism)}
                    skip_failures: false
                    modules:
                      - id: step\(inputBytes > 0 ? "\n            mock: {enabled: true, return_value: 1}" : "")
                        value: {type: identity}
            """
        var input = FlowBenchmark.input(bytes: inputBytes)
        input = input.setting("n", to: .number(Double(iterations)))
        let carrying = inputBytes > 0 ? " after a step whose result has \(input.jsonText.utf8.count) bytes" : ""
        try await measure(
            "for loop of \(iterations) identity iterations, parallelism \(parallelism)\(carrying)", yaml: loop, input: input,
            steps: iterations + 1 + (inputBytes > 0 ? 1 : 0))
        guard inputBytes == 0 else { return }
        let branchList = (0..<branches).map { "          - modules: [{id: b\($0), value: {type: identity}}]" }.joined(separator: "\n")
        let fanOut = """
            value:
              modules:
                - id: all
                  value:
                    type: branchall
                    parallel: true
                    branches:
            \(branchList)
            """
        try await measure("branchall of \(branches) parallel identity branches", yaml: fanOut, input: [:], steps: branches + 1)
    }

    /// Runs one flow on its own private redis-server and worker process, sampling Redis's memory.
    private func measure(_ name: String, yaml: String, input: JSONValue, steps: Int) async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let connection = try environment.connect()
        let engine = FlowEngine(flows: FlowStore(keys: environment.keys))
        let jobs = JobStore(keys: environment.keys)
        let worker = try environment.start("worker", ["--concurrency", String(concurrency)])
        defer { environment.stop(worker) }
        try await Task.sleep(for: .milliseconds(500))
        guard let path = ScriptPath("f/bench/fan\(steps)") else { return }
        _ = try engine.push(path: path, text: yaml, on: connection)
        let before = try usedMemory(connection)
        let redisBefore = try RedisCPUSample(on: connection)
        let id = JobID.generate()
        let begin = ContinuousClock.now
        try engine.start(FlowEngine.Start(id: id, path: path.rawValue, input: input), on: connection)
        // Sample Redis memory while the flow runs: the peak says whether state grows with the work done.
        var peak = before
        var samples: [(Double, Int)] = []
        while true {
            let state = try jobs.job(id, on: connection)?.state
            let used = try usedMemory(connection)
            peak = max(peak, used)
            let elapsed = ContinuousClock.now - begin
            samples.append((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, used))
            if state?.isFinal == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let elapsed = ContinuousClock.now - begin
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard let done = try jobs.job(id, on: connection), done.state == .success else {
            throw CleanExit.message("\(name): the flow did not succeed")
        }
        let redisAfter = try RedisCPUSample(on: connection)
        let after = try usedMemory(connection)
        let quarter = samples[samples.count / 4].1
        let threeQuarters = samples[samples.count * 3 / 4].1
        print(
            "\(name): \(format(seconds, digits: 2)) s, \(format(Double(steps) / seconds, digits: 0)) step transitions/s; Redis memory "
                + "+\(format(Double(quarter - before) / 1_048_576, digits: 1)) MiB at 1/4, +\(format(Double(threeQuarters - before) / 1_048_576, digits: 1)) MiB at 3/4, "
                + "peak +\(format(Double(peak - before) / 1_048_576, digits: 1)) MiB, after +\(format(Double(after - before) / 1_048_576, digits: 1)) MiB "
                + "(finished jobs kept for the retention period: \(format(Double(after - before) / Double(steps), digits: 0)) bytes per step)")
        print(
            "  Redis CPU per transition \(format(redisBefore.microsecondsPerJob(until: redisAfter, jobs: steps), digits: 1)) µs "
                + "(in scripts \(format(redisBefore.scriptMicrosecondsPerJob(until: redisAfter, jobs: steps), digits: 1)) µs); "
                + "commands per transition (calls×, time): \(redisBefore.commandSummary(until: redisAfter, jobs: steps, top: 24))")
    }

    private func usedMemory(_ connection: RedisConnection) throws -> Int {
        let info = try connection.send(["INFO", "memory"]).string ?? ""
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("used_memory:") {
            return Int(line.dropFirst("used_memory:".count)) ?? 0
        }
        return 0
    }
}

import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// Jobs per second through the full lifecycle (fetch, run, complete) with one worker process.
/// Enqueueing is excluded: the jobs are queued before the worker starts, and the rate is taken
/// from the jobs' own Redis timestamps, first start to last finish.
struct ThroughputBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "throughput", abstract: "Jobs/s of one worker process.")

    @Option(help: "identity, bash, python (def main(x): return x + 1) or deno (the same in TypeScript)") var kind: String = "identity"
    @Option(help: "How many jobs.") var count: Int = 50_000
    @Option(help: "The worker's --concurrency.") var concurrency: Int = 8
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"
    @Option(help: "Sample this many jobs under MONITOR to count round trips per job (0 = skip).") var roundTripSample: Int = 200
    @Option(help: "The worker's --sandbox (bwrap or none).") var sandbox: String = "bwrap"
    @Option(help: "The worker's --python-runner (fork, process or dedicated); with --kind deno, dedicated marks the script dedicated.")
    var pythonRunner: String = "fork"

    @Option(help: "The worker's --bash-runner (slot: a warm sandbox per slot, or process: a sandbox per job).")
    var bashRunner: String = "slot"
    @Option(help: "The worker's --scratch (default: the worker's own default).") var scratch: String?

    func run() async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let connection = try environment.connect()
        let store = JobStore(keys: environment.keys)
        let scripts = ScriptStore(keys: environment.keys)
        var template = EnqueueRequest(id: JobID(milliseconds: 0), kind: .identity, queue: "bench", arguments: ["n": 1])
        if kind == "bash" {
            guard let path = ScriptPath("f/bench/echo") else { return }
            let (hash, _) = try scripts.push(path: path, language: .bash, content: "x=\"$1\"\necho \"$x\"\n", on: connection)
            template.kind = .script
            template.path = path.rawValue
            template.scriptHash = hash
            template.language = .bash
        }
        let scriptKinds: [String: (ScriptLanguage, String)] = [
            "python": (.python3, "def main(x):\n    return x + 1\n"),
            "deno": (.deno, "export function main(x: number) {\n  return x + 1;\n}\n"),
        ]
        if let (language, content) = scriptKinds[kind] {
            // Dedicated Deno is marked in the script, as a user would.
            let marked = kind == "deno" && pythonRunner == "dedicated" ? "// sluice: dedicated\n" + content : content
            guard let path = ScriptPath("f/bench/\(kind)") else { return }
            let (hash, _) = try scripts.push(path: path, language: language, content: marked, on: connection)
            template.kind = .script
            template.path = path.rawValue
            template.scriptHash = hash
            template.language = language
        }
        var ids: [JobID] = []
        let enqueueStart = ContinuousClock.now
        for batchStart in stride(from: 0, to: count, by: 1000) {
            let requests = (batchStart..<min(count, batchStart + 1000)).map { index -> EnqueueRequest in
                var request = template
                request.id = JobID.generate()
                request.arguments = ["n": .number(Double(index)), "x": .number(Double(index))]
                return request
            }
            ids.append(contentsOf: requests.map(\.id))
            _ = try store.enqueue(requests, on: connection)
        }
        let enqueueSeconds =
            Double((ContinuousClock.now - enqueueStart).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - enqueueStart).components.seconds)
        print(
            "enqueued \(count) \(kind) jobs (worker --sandbox \(sandbox)) (pipelined) at \(format(Double(count) / enqueueSeconds, digits: 0)) jobs/s")

        let redisBefore = try RedisCPUSample(on: connection)
        let worker = try environment.start(
            "worker",
            [
                "--queues", "bench", "--concurrency", String(concurrency), "--sandbox", sandbox, "--python-runner", pythonRunner, "--bash-runner",
                bashRunner,
            ]
                + (scratch.map { ["--scratch", $0] } ?? []))
        defer { environment.stop(worker) }
        let finishedKey = environment.keys.stats("bench")
        while true {
            let counts = try connection.send(["HMGET", .string(finishedKey), "success", "failure"]).array?.compactMap(\.integer) ?? []
            if counts.reduce(0, +) >= Int64(count) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let redisAfter = try RedisCPUSample(on: connection)
        print("  Redis commands per job (calls×, time): \(redisBefore.commandSummary(until: redisAfter, jobs: count))")
        var firstStart = Int64.max
        var lastFinish = Int64.min
        var failures = 0
        for chunk in stride(from: 0, to: ids.count, by: 5000) {
            let replies = try connection.pipeline(
                ids[chunk..<min(ids.count, chunk + 5000)].map { ["HMGET", .string(environment.keys.job($0)), "started_at", "finished_at", "state"] })
            for reply in replies {
                let fields = reply.array ?? []
                if let started = fields.first?.integer { firstStart = min(firstStart, started) }
                if fields.count > 1, let finished = fields[1].integer { lastFinish = max(lastFinish, finished) }
                if fields.count > 2, fields[2].string != "success" { failures += 1 }
            }
        }
        let seconds = Double(lastFinish - firstStart) / 1000
        var runnerNote = kind == "python" ? " (--python-runner \(pythonRunner))" : ""
        if kind == "bash", sandbox != "none" { runnerNote = " (--bash-runner \(bashRunner))" }
        if kind == "deno" { runnerNote = pythonRunner == "dedicated" ? " (dedicated: marked // sluice: dedicated)" : " (a deno process per job)" }
        print(
            "\(kind)\(runnerNote): \(count) jobs, 1 worker process, concurrency \(concurrency), --sandbox \(sandbox): \(format(seconds, digits: 2)) s, "
                + "\(format(Double(count) / seconds, digits: 0)) jobs/s, \(failures) not successful")
        let workerCPU = ProcessCPUTime.of(pid: worker.processIdentifier)
        print(
            "  CPU per job: Redis \(format(redisBefore.microsecondsPerJob(until: redisAfter, jobs: count), digits: 1)) µs (in scripts \(format(redisBefore.scriptMicrosecondsPerJob(until: redisAfter, jobs: count), digits: 1)) µs)"
                + (workerCPU.map { ", worker \(format($0 * 1e6 / Double(count), digits: 1)) µs" } ?? ""))

        if roundTripSample > 0 {
            // The worker is idle now. Backlog: pause it, queue jobs, let it drain them.
            let backlogIDs = try enqueueSample(template: template, store: store, connection: connection)
            kill(worker.processIdentifier, SIGSTOP)
            let backlog = try await countWorkerCommands(environment: environment, own: connection) {
                try store.enqueue(backlogIDs, on: connection).forEach { _ = try $0.get() }
                kill(worker.processIdentifier, SIGCONT)
                for request in backlogIDs { _ = try store.wait(for: request.id, timeout: .seconds(60), on: connection) }
            }
            // Idle: one job at a time, each waking a blocked worker.
            let idleRequests = try enqueueSample(template: template, store: store, connection: connection)
            let idle = try await countWorkerCommands(environment: environment, own: connection) {
                for request in idleRequests {
                    try store.enqueue(request, on: connection)
                    _ = try store.wait(for: request.id, timeout: .seconds(60), on: connection)
                }
            }
            print("round trips per job, counted with MONITOR over \(roundTripSample) jobs (the worker's commands only):")
            print("  backlogged worker: \(format(Double(backlog.total) / Double(roundTripSample), digits: 2)) — \(backlog.summary)")
            print("  idle worker:       \(format(Double(idle.total) / Double(roundTripSample), digits: 2)) — \(idle.summary)")
        }
    }

    private func enqueueSample(template: EnqueueRequest, store: JobStore, connection: RedisConnection) throws -> [EnqueueRequest] {
        (0..<roundTripSample).map { index -> EnqueueRequest in
            var request = template
            request.id = JobID.generate()
            request.arguments = ["n": .number(Double(index))]
            return request
        }
    }

    /// Runs `body` under MONITOR and counts the commands sent by clients other than `own` (the
    /// benchmark's connection, found by its address) and the monitor. Commands that scripts run
    /// inside Redis are marked `lua` by MONITOR and not counted: they are not round trips.
    private func countWorkerCommands(
        environment: BenchEnvironment,
        own: RedisConnection,
        _ body: () throws -> Void
    ) async throws -> (total: Int, summary: String) {
        let info = try own.send("CLIENT", "INFO").string ?? ""
        let ownAddress = info.split(separator: " ").first { $0.hasPrefix("addr=") }.map { String($0.dropFirst(5)) } ?? "?"
        let monitorLog = environment.server.directory.appendingPathComponent("monitor-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: monitorLog.path, contents: nil)
        let monitor = Process()
        monitor.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        monitor.arguments = environment.server.cliArguments + ["MONITOR"]
        monitor.standardOutput = try FileHandle(forWritingTo: monitorLog)
        try monitor.run()
        try await Task.sleep(for: .milliseconds(200))
        try body()
        try await Task.sleep(for: .milliseconds(100))
        kill(monitor.processIdentifier, SIGKILL)
        monitor.waitUntilExit()
        var total = 0
        var names: [String: Int] = [:]
        for line in try String(contentsOf: monitorLog, encoding: .utf8).split(separator: "\n") where !line.contains(" lua]") {
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"),
                let start = line.firstIndex(of: "\""), let end = line[line.index(after: start)...].firstIndex(of: "\"")
            else { continue }
            let address = line[line.index(after: open)..<close].split(separator: " ").last.map(String.init) ?? ""
            if address == ownAddress { continue }
            total += 1
            names[line[line.index(after: start)..<end].uppercased(), default: 0] += 1
        }
        return (total, names.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
    }
}

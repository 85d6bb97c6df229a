import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The web console's page times with many finished jobs retained: the overview, the jobs list
/// (first page and a later one) and a flow run's page with its graph (a loop of `--steps`
/// iterations run by a real worker), each fetched `--samples` times over HTTP from `sluice
/// console`; and the Redis memory the console adds per job.
struct ConsoleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Console page times (median, p99) with many finished jobs in Redis; memory it adds per job.")

    @Option(help: "Finished jobs written into Redis before measuring.") var finished: Int = 1_000_000
    @Option(help: "Iterations of the measured flow's loop (each a step).") var steps: Int = 1000
    @Option(help: "Requests per page.") var samples: Int = 200
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"

    func run() async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let connection = try environment.connect()
        let keys = environment.keys
        let before = try Self.usedMemory(connection)
        // Finished jobs as finish_job leaves them: the hash, the capped finished index, the finished
        // runs and their state and path indexes, the counters.
        let now = try environment.now(connection)
        let clock = ContinuousClock()
        let writing = clock.now
        var written = 0
        while written < finished {
            let batch = min(5000, finished - written)
            var commands: [[RedisArgument]] = []
            for index in written..<(written + batch) {
                let at = now - Int64(finished - index)
                let id = JobID(milliseconds: UInt64(at))
                let state: JobState = index % 50 == 0 ? .failure : .success
                let path = "f/bench/job\(index % 20)"
                commands.append([
                    "HSET", .string(keys.job(id)), "id", .string(id.rawValue), "kind", "script", "state", .string(state.rawValue),
                    "queue", "default", "path", .string(path), "args", .string("{\"n\":\(index)}"), "result", "{\"ok\":true}",
                    "created_at", .string(String(at - 5)), "started_at", .string(String(at - 3)), "finished_at", .string(String(at)),
                    "deliveries", "1", "worker", "bench-worker",
                ])
                commands.append(["ZADD", .string(keys.finished("default")), .string(String(at)), .string(id.rawValue)])
                commands.append(["ZADD", .string(keys.runsFinished), .string(String(at - 5)), .string(id.rawValue)])
                if state == .failure {
                    commands.append(["ZADD", .string(keys.runsFinished(state: state)), .string(String(at - 5)), .string(id.rawValue)])
                }
                commands.append(["ZADD", .string(keys.runsFinished(path: path)), .string(String(at - 5)), .string(id.rawValue)])
            }
            commands.append(["ZREMRANGEBYRANK", .string(keys.finished("default")), "0", "-1001"])
            commands.append(["SADD", .string(keys.queues), "default"])
            _ = try connection.pipeline(commands)
            written += batch
        }
        _ = try connection.send([
            "HSET", .string(keys.stats("default")), "success", .string(String(finished - finished / 50)), "failure", .string(String(finished / 50)),
        ])
        let jobsMemory = try Self.usedMemory(connection) - before
        let indexKeys =
            [keys.runsFinished, keys.runsFinished(state: .success), keys.runsFinished(state: .failure)]
            + (0..<20).map {
                keys.runsFinished(path: "f/bench/job\($0)")
            }
        let usages = try connection.pipeline(indexKeys.map { ["MEMORY", "USAGE", .string($0), "SAMPLES", "0"] }).map { Int($0.integer ?? 0) }
        let index = usages[0]
        let filters = usages.dropFirst().reduce(0, +)
        print("wrote \(finished) finished jobs in \(clock.now - writing) (\(jobsMemory / max(1, finished)) bytes each in Redis)")
        print("the finished-runs index (P:runs:finished): \(index) bytes, \(index / max(1, finished)) bytes per job")
        print("the state and path indexes (P:runs:state:*, P:runs:path:*): \(filters) bytes, \(filters / max(1, finished)) bytes per job")

        let worker = try environment.start("worker", ["--concurrency", "8", "--sandbox", "none", "--allow-unauthenticated-redis"])
        let port = try RedisServer.freePort()
        let console = try environment.start("sluice", ["console", "--listen", "127.0.0.1:\(port)", "--as", "bench"])
        defer { environment.stop(worker, console) }
        let flow = try startFlow(environment, connection: connection)
        let flowStart = clock.now
        while try JobStore(keys: keys).job(flow, on: connection)?.state.isFinal != true {
            guard clock.now - flowStart < .seconds(600) else { throw CleanExit.message("the flow did not finish") }
            try await Task.sleep(for: .milliseconds(50))
        }
        print("flow \(flow): \(steps) iterations run in \(clock.now - flowStart)")
        let base = "http://127.0.0.1:\(port)"
        for _ in 0..<100 where (try? await Self.fetch(base + "/healthz")) == nil { try await Task.sleep(for: .milliseconds(50)) }
        let keysBefore = try connection.send(["DBSIZE"]).integer ?? 0
        print("page                     median ms   p99 ms   bytes")
        for (name, path) in [
            ("overview", "/"), ("jobs, first page", "/jobs"), ("jobs, page 10", "/jobs?page=10"), ("jobs, failures", "/jobs?state=failure"),
            ("jobs, one path, page 5", "/jobs?path=f/bench/job7&page=5"),
            ("flow run + graph", "/jobs/\(flow.rawValue)"),
        ] {
            var times: [Double] = []
            var size = 0
            for _ in 0..<(samples + 5) {
                let started = clock.now
                size = try await Self.fetch(base + path)
                times.append(Double((clock.now - started).components.attoseconds) / 1e15 + Double((clock.now - started).components.seconds) * 1000)
            }
            let summary = Summary(Array(times.dropFirst(5)))
            print(
                "\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(format(summary.median).leftPad(9)) \(format(summary.percentile(99)).leftPad(8))   \(size)"
            )
        }
        let keysAfter = try connection.send(["DBSIZE"]).integer ?? 0
        print("keys in Redis before the page reads: \(keysBefore), after: \(keysAfter) — page reads write nothing")
    }

    private func startFlow(_ environment: BenchEnvironment, connection: RedisConnection) throws -> JobID {
        let yaml = """
            summary: Console benchmark
            value:
              modules:
                - id: loop
                  value:
                    type: forloopflow
                    iterator: {type: static, value: [\((0..<steps).map(String.init).joined(separator: ", "))]}
                    parallel: true
                    parallelism: {type: static, value: 16}
                    modules:
                      - id: step
                        value: {type: identity}
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("console-bench-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        for arguments in [["flow", "push", "f/bench/console", file.path], ["run", "f/bench/console"]] {
            let process = try environment.start("sluice", arguments)
            let output = Pipe()
            process.standardOutput = output
            process.waitUntilExit()
        }
        guard let id = try connection.send(["ZREVRANGE", .string(environment.keys.activeFlows), "0", "0"]).array?.first?.string.flatMap(JobID.init)
        else { throw CleanExit.message("the flow did not start") }
        return id
    }

    static func fetch(_ url: String) async throws -> Int {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url) ?? URL(fileURLWithPath: "/"))
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw CleanExit.message("\(url): \(response)") }
        return data.count
    }

    static func usedMemory(_ connection: RedisConnection) throws -> Int {
        let info = try connection.send(["INFO", "memory"]).string ?? ""
        let line = info.split(separator: "\r\n").first { $0.hasPrefix("used_memory:") }
        return line.flatMap { Int($0.dropFirst("used_memory:".count)) } ?? 0
    }
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

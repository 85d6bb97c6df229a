import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// Throughput of an installation partitioned by prefix over a Redis Cluster: with 1, 2 and 3
/// masters in use (one prefix per master, one worker process per prefix), identity jobs queued
/// first, then the workers started; jobs/s over all prefixes from the jobs' own timestamps.
struct ClusterBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster", abstract: "Jobs/s over 1, 2 and 3 cluster masters, one prefix each.")

    @Option(help: "Jobs per prefix.") var count: Int = 20_000
    @Option(help: "Each worker's --concurrency.") var concurrency: Int = 8
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"

    func run() async throws {
        let cluster = try ClusterTestbed(masters: 3)
        defer { cluster.stop() }
        // One prefix per master.
        var prefixes: [(KeySpace, Int)] = []
        for number in 0..<200 where prefixes.count < 3 {
            let keys = KeySpace(prefix: "part-\(number)")
            guard let owner = try cluster.owner(of: keys.prefix), !prefixes.contains(where: { $0.1 == owner }) else { continue }
            prefixes.append((keys, owner))
        }
        for used in 1...prefixes.count {
            let round = prefixes.prefix(used).map { (KeySpace(prefix: "\($0.0.prefix.dropFirst().dropLast())-r\(used)"), $0.1) }
            // The renamed prefixes may land elsewhere: keep only those still on distinct masters.
            var spread: [KeySpace] = []
            var masters = Set<Int>()
            for (keys, _) in round {
                if let owner = try cluster.owner(of: keys.prefix), masters.insert(owner).inserted { spread.append(keys) }
            }
            let figure = try await measure(cluster: cluster, prefixes: spread)
            print(
                "\(spread.count) master\(spread.count == 1 ? "" : "s") (one prefix and one worker process each, concurrency \(concurrency)): "
                    + "\(spread.count * count) identity jobs in \(format(figure, digits: 2)) s, \(format(Double(spread.count * count) / figure, digits: 0)) jobs/s"
            )
        }
    }

    /// Seconds from the first job started to the last finished, over all prefixes.
    private func measure(cluster: ClusterTestbed, prefixes: [KeySpace]) async throws -> Double {
        var ids: [[JobID]] = []
        for keys in prefixes {
            let connection = try RedisConnection(configuration: cluster.configuration(slotKey: keys.prefix))
            let store = JobStore(keys: keys)
            var list: [JobID] = []
            for start in stride(from: 0, to: count, by: 1000) {
                let requests = (start..<min(count, start + 1000)).map { _ in
                    EnqueueRequest(id: JobID.generate(), kind: .identity, queue: "bench")
                }
                list += requests.map(\.id)
                _ = try store.enqueue(requests, on: connection)
            }
            ids.append(list)
        }
        var workers: [Process] = []
        for keys in prefixes {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binaries + "/worker")
            process.arguments = ["--queues", "bench", "--concurrency", String(concurrency)]
            var environment = ProcessInfo.processInfo.environment
            environment["SLUICE_REDIS_URL"] = cluster.url
            environment["SLUICE_PREFIX"] = keys.prefix
            environment["SLUICE_LOG_LEVEL"] = "warning"
            process.environment = environment
            try process.run()
            workers.append(process)
        }
        defer {
            for worker in workers {
                worker.terminate()
                worker.waitUntilExit()
            }
        }
        var first = Int64.max
        var last = Int64.min
        for (keys, list) in zip(prefixes, ids) {
            let connection = try RedisConnection(configuration: cluster.configuration(slotKey: keys.prefix))
            while (try connection.send(["HGET", .string(keys.stats("bench")), "success"]).integer ?? 0) < Int64(count) {
                try await Task.sleep(for: .milliseconds(50))
            }
            for chunk in stride(from: 0, to: list.count, by: 5000) {
                let replies = try connection.pipeline(
                    list[chunk..<min(list.count, chunk + 5000)].map { ["HMGET", .string(keys.job($0)), "started_at", "finished_at"] })
                for reply in replies {
                    let fields = reply.array ?? []
                    if let started = fields.first?.integer { first = min(first, started) }
                    if fields.count > 1, let finished = fields[1].integer { last = max(last, finished) }
                }
            }
        }
        return Double(last - first) / 1000
    }
}

import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// A private redis-server and the built executables, shared by the benchmarks.
struct BenchEnvironment {
    let server: RedisServer
    let binaries: String
    let keys = KeySpace(prefix: "bench")
    /// Stops what the benchmark started if it is stopped by a signal.
    let reaper = ChildReaper()

    init(binaries: String) throws {
        server = try RedisServer()
        self.binaries = binaries
    }

    func connect() throws -> RedisConnection {
        try RedisConnection(configuration: server.configuration)
    }

    /// Starts a built executable against the private server, with `extra` environment variables.
    func start(_ executable: String, _ arguments: [String], extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaries + "/" + executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(server.sluiceEnvironment(prefix: keys.prefix)) { $1 }.merging(extra) { $1 }
        try process.run()
        return process
    }

    /// Stops processes it started (SIGTERM) and waits for them, so they leave Redis before the
    /// server stops (a worker deregisters itself) instead of warning that it went away.
    func stop(_ processes: Process...) {
        for process in processes where process.isRunning { process.terminate() }
        for process in processes { process.waitUntilExit() }
    }

    /// Empties the private server between benchmarks (it is ours alone).
    func flush() throws {
        _ = try connect().send("FLUSHALL")
    }

    /// Redis's clock in ms.
    func now(_ connection: RedisConnection) throws -> Int64 {
        try connection.serverMilliseconds()
    }
}

/// Median, p99 and friends of a sample.
struct Summary {
    let sorted: [Double]

    init(_ values: [Double]) {
        sorted = values.sorted()
    }

    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }

    var median: Double { percentile(50) }

    /// The mean: with 1 ms-resolution samples of sub-millisecond intervals, a finer estimate than the median.
    var mean: Double { sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count) }
}

func format(_ value: Double, digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}

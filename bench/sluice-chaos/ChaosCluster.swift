import Foundation
import SluiceRedis
import SluiceStore
import SluiceTesting

#if canImport(Glibc)
    import Glibc
#endif

/// One scenario's world: a private redis-server, the Sluice processes started against it (each
/// with its own log file in the scenario's directory), and the means to hurt them — SIGKILL,
/// SIGTERM, restart. Used from the scenario's own thread only.
final class ChaosCluster {
    let server: RedisServer
    /// Set for a scenario on Redis Sentinel: the processes and ``connect()`` reach Redis through
    /// the sentinels (``server`` is then the first master).
    let sentinels: SentinelTestbed?
    /// Set for a scenario on Redis Cluster: the processes and ``connect()`` reach the prefix's
    /// slot owner (``server`` is then the first node).
    let redisCluster: ClusterTestbed?
    let binaries: String
    let keys = KeySpace(prefix: "chaos")
    let directory: URL
    /// Every process started, by name (`worker-3`, `scheduler-1`, `resumer-1`), newest last.
    private(set) var processes: [(name: String, process: Process)] = []
    private var counters: [String: Int] = [:]

    init(binaries: String, directory: URL, redisArguments: [String] = []) throws {
        self.binaries = binaries
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        server = try RedisServer(arguments: redisArguments)
        sentinels = nil
        redisCluster = nil
    }

    /// A scenario on `sentinels`: a master, a replica and three sentinels.
    init(binaries: String, directory: URL, sentinels: SentinelTestbed) throws {
        self.binaries = binaries
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        server = sentinels.master
        self.sentinels = sentinels
        redisCluster = nil
    }

    /// A scenario on a Redis Cluster.
    init(binaries: String, directory: URL, redisCluster: ClusterTestbed) throws {
        self.binaries = binaries
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        server = redisCluster.nodes[0]
        sentinels = nil
        self.redisCluster = redisCluster
    }

    /// A fresh connection to the scenario's Redis (the current master, on Sentinel).
    func connect() throws -> RedisConnection {
        try RedisConnection(configuration: sentinels?.configuration ?? redisCluster?.configuration(slotKey: keys.prefix) ?? server.configuration)
    }

    /// What the processes are given to reach Redis.
    private var redisEnvironment: [String: String] {
        if let sentinels { return ["SLUICE_REDIS_URL": sentinels.url, "SLUICE_PREFIX": keys.prefix] }
        if let redisCluster { return ["SLUICE_REDIS_URL": redisCluster.url, "SLUICE_PREFIX": keys.prefix] }
        return server.sluiceEnvironment(prefix: keys.prefix)
    }

    /// `body` on a connection, retried on a fresh one while Redis is unreachable (it is being
    /// restarted), for up to `patience`.
    func withRedis<T>(patience: Duration = .seconds(30), _ body: (RedisConnection) throws -> T) throws -> T {
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                return try body(try connect())
            } catch let error as RedisError where error.isConnectionError && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// The next name for a process of `kind`: `worker-1`, `worker-2`, ...
    func nextName(_ kind: String) -> String {
        counters[kind, default: 0] += 1
        return "\(kind)-\(counters[kind, default: 0])"
    }

    /// Starts a worker named `name` (also its worker id in Redis) with `arguments` added.
    @discardableResult
    func startWorker(_ name: String, _ arguments: [String], extra: [String: String] = [:]) throws -> Process {
        let scratch = directory.appendingPathComponent("scratch").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return try start(name, executable: "worker", ["--worker-id", name, "--scratch", scratch] + arguments, extra: extra)
    }

    /// Starts one of the built executables under `name`, its output in `<name>.log`.
    @discardableResult
    func start(_ name: String, executable: String, _ arguments: [String], extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaries + "/" + executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(redisEnvironment) { $1 }.merging(extra) { $1 }
        let log = directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append((name, process))
        return process
    }

    /// What runs the built executables to their ends (CLI commands) against the scenario's Redis,
    /// with `extra` in their environment; usable from any thread.
    func commands(extra: [String: String] = [:]) -> ChaosCommands {
        ChaosCommands(binaries: binaries, environment: ProcessInfo.processInfo.environment.merging(redisEnvironment) { $1 }.merging(extra) { $1 })
    }

    /// The live process called `name`.
    func process(_ name: String) -> Process? {
        processes.last { $0.name == name && $0.process.isRunning }?.process
    }

    /// The names of the live processes whose name starts with `kind`.
    func running(_ kind: String) -> [String] {
        processes.filter { $0.name.hasPrefix(kind + "-") && $0.process.isRunning }.map(\.name)
    }

    /// SIGKILLs `name` and reaps it.
    func kill(_ name: String) {
        guard let process = process(name) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends `signal` to `name`.
    func signal(_ name: String, _ signal: Int32) {
        guard let process = process(name) else { return }
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Stops every process (SIGKILL) and the redis-server (its data removed); the scenario's
    /// directory stays, with its logs.
    func stopAll() {
        for (_, process) in processes where process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if let sentinels {
            sentinels.stop()
        } else if let redisCluster {
            redisCluster.stop()
        } else {
            server.stop()
        }
    }

    /// The lines of every process's log that contain `text`.
    func logLines(containing text: String) throws -> [String] {
        try processes.map(\.name).flatMap { name in
            let log = try String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)
            return log.split(separator: "\n").filter { $0.contains(text) }.map(String.init)
        }
    }

    /// Redis's clock, ms.
    func now() throws -> Int64 {
        try withRedis { try $0.serverMilliseconds() }
    }
}

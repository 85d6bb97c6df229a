import Foundation
public import SluiceRedis
import Synchronization

/// A Redis Sentinel set-up on loopback for failover tests: a master, one replica, and three
/// sentinels (`redis-server --sentinel`, quorum 2) that fail over after `downAfter` of silence.
/// ``url`` is the `redis+sentinel://` URL every Sluice executable takes. Stopped and removed by
/// ``stop()`` or when released.
public final class SentinelTestbed: Sendable {
    /// The master's name the sentinels monitor.
    public let masterName = "sluice"
    public let master: RedisServer
    public let replica: RedisServer
    /// The sentinels' ports.
    public let sentinelPorts: [Int]
    private let directory: URL
    private let sentinels: Mutex<[Process]>

    /// The password master and replica share (the sentinels know it: `sentinel auth-pass`).
    public let password: String

    /// `redis+sentinel://:PASSWORD@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/sluice`.
    public var url: String {
        "redis+sentinel://:\(password)@" + sentinelPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "/" + masterName
    }

    /// The configuration for ``url``.
    public var configuration: RedisConfiguration {
        RedisConfiguration(
            endpoint: .sentinel(
                RedisConfiguration.SentinelGroup(
                    sentinels: sentinelPorts.map { RedisConfiguration.HostAndPort(host: "127.0.0.1", port: $0) }, masterName: masterName)),
            password: password)
    }

    /// Starts everything and waits until the replica is in sync and every sentinel knows the
    /// replica and the other sentinels (so a failover can happen).
    /// `serverArguments` are added to both servers' command lines (e.g. `--enable-debug-command yes`).
    public init(downAfter: Duration = .seconds(1), serverArguments: [String] = []) throws {
        let password = RedisServer.newPassword()
        self.password = password
        // Either may become the master: both require the password and replicate with it.
        master = try RedisServer(arguments: ["--masterauth", password] + serverArguments, password: password)
        replica = try RedisServer(
            arguments: ["--replicaof", "127.0.0.1", String(master.port), "--masterauth", password] + serverArguments, password: password)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sentinels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var ports: [Int] = []
        var processes: [Process] = []
        let milliseconds = Int(downAfter.components.seconds * 1000) + Int(downAfter.components.attoseconds / 1_000_000_000_000_000)
        for number in 0..<3 {
            let port = try RedisServer.freePort()
            let folder = directory.appendingPathComponent("s\(number)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let conf = folder.appendingPathComponent("sentinel.conf")
            try """
            port \(port)
            bind 127.0.0.1
            daemonize no
            dir \(folder.path)
            logfile \(folder.appendingPathComponent("sentinel.log").path)
            sentinel monitor \(masterName) 127.0.0.1 \(master.port) 2
            sentinel auth-pass \(masterName) \(password)
            sentinel down-after-milliseconds \(masterName) \(milliseconds)
            sentinel failover-timeout \(masterName) 10000
            sentinel parallel-syncs \(masterName) 1

            """.write(to: conf, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: RedisServer.findExecutable())
            process.arguments = [conf.path, "--sentinel"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            ports.append(port)
            processes.append(process)
        }
        sentinelPorts = ports
        sentinels = Mutex(processes)
        try waitUntilReady()
    }

    deinit {
        stop()
    }

    /// Stops the sentinels and both servers, removing their directories.
    public func stop() {
        sentinels.withLock { processes in
            for process in processes where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            processes = []
        }
        master.stop()
        replica.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The port of the server the sentinels currently name as master.
    public func currentMasterPort() throws -> Int? {
        for port in sentinelPorts {
            guard let connection = try? RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))),
                let reply = try? connection.send(["SENTINEL", "get-master-addr-by-name", .string(masterName)]),
                let text = reply.array?.last?.string, let found = Int(text)
            else { continue }
            return found
        }
        return nil
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try isReady() { return }
            usleep(50_000)
        }
        throw RedisServerError.notReady(port: sentinelPorts.first ?? 0, lastError: "the sentinels never saw the replica and each other")
    }

    private func isReady() throws -> Bool {
        let replication = try RedisConnection(configuration: replica.configuration).send(["INFO", "replication"]).string ?? ""
        guard replication.contains("master_link_status:up") else { return false }
        for port in sentinelPorts {
            guard let connection = try? RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))),
                let replicas = try? connection.send(["SENTINEL", "replicas", .string(masterName)]).array, !replicas.isEmpty,
                let others = try? connection.send(["SENTINEL", "sentinels", .string(masterName)]).array, others.count == 2
            else { return false }
        }
        return true
    }
}

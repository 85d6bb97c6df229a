public import Foundation
public import SluiceRedis
import Synchronization

/// A private `redis-server` for tests: its own free port, its own temporary directory, no
/// persistence, stopped and removed when the test is done. Used by Sluice's own tests and
/// available to users' tests of their flows.
///
/// ```swift
/// try await RedisServer.with { server in
///     let connection = try RedisConnection(configuration: server.configuration)
///     ...
/// }
/// ```
public final class RedisServer: Sendable {
    /// The TCP port the server listens on (loopback only).
    public var port: Int { portInUse.withLock { $0 } }
    /// Chosen free, but another socket can take it before redis-server binds it (a client's
    /// ephemeral port, among thousands of connections in a test run): then a new one is chosen.
    private let portInUse: Mutex<Int>
    /// The server's working directory, removed by ``stop()``.
    public let directory: URL
    private let executable: String
    private let extraArguments: [String]
    /// The password the server requires (`--requirepass`), if one was set.
    public let password: String?
    private let process: Mutex<Process?>

    /// The server's URL, `redis://[:PASSWORD@]127.0.0.1:PORT/0`.
    public var url: String {
        let auth = password.map { ":\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)@" } ?? ""
        return "redis://\(auth)127.0.0.1:\(port)/0"
    }

    /// A connection configuration for this server.
    public var configuration: RedisConfiguration {
        RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), password: password)
    }

    /// Starts a server on a free port and waits until it answers `PING`. `arguments` are added to
    /// its command line (e.g. `["--replicaof", "127.0.0.1", "6379"]`, `["--appendonly", "yes"]`).
    /// It requires `password` — a fresh random one unless given, as every Sluice set-up should
    /// (``url`` and ``configuration`` carry it); `password: nil` starts an open server.
    public init(executable: String? = nil, arguments: [String] = [], password: String? = RedisServer.newPassword()) throws {
        self.executable = executable ?? RedisServer.findExecutable()
        self.password = password
        self.extraArguments = arguments + (password.map { ["--requirepass", $0] } ?? [])
        self.portInUse = Mutex(try RedisServer.freePort())
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-redis-\(UUID().uuidString)")
        self.process = Mutex(nil)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var attempt = 1
        while true {
            do {
                try start()
                return
            } catch let error as RedisServerError {
                // The server exited at once: its port was taken meanwhile. Another port, a few times.
                guard case .exited = error, attempt < 5 else { throw error }
                attempt += 1
                process.withLock { $0 = nil }
                let another = try RedisServer.freePort()
                portInUse.withLock { $0 = another }
            }
        }
    }

    deinit {
        stop()
    }

    /// Starts the server if it is not running (again, on the same port, after ``kill()``), with
    /// `adding` after its usual arguments for this start only — e.g. `["--replicaof", host, port]`
    /// to bring a killed master back as the replica of the one that replaced it.
    public func start(adding: [String] = []) throws {
        try process.withLock { current in
            if let current, current.isRunning { return }
            let launched = Process()
            launched.executableURL = URL(fileURLWithPath: executable)
            launched.arguments =
                [
                    "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path,
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                    "--logfile", directory.appendingPathComponent("redis.log").path,
                ] + extraArguments + adding
            launched.standardOutput = FileHandle.nullDevice
            launched.standardError = FileHandle.nullDevice
            try launched.run()
            current = launched
        }
        try waitUntilReady()
    }

    /// Kills the server abruptly (SIGKILL), keeping its directory, to test a Redis that goes away.
    public func kill() {
        process.withLock { current in
            guard let running = current else { return }
            if running.isRunning {
                Foundation.kill(running.processIdentifier, SIGKILL)
                running.waitUntilExit()
            }
            current = nil
        }
    }

    /// Freezes the server (SIGSTOP): it keeps its connections but answers nothing — as a replica
    /// that stopped acknowledging, or a master cut off — until ``resume()``.
    public func pause() {
        process.withLock { current in
            if let running = current, running.isRunning { Foundation.kill(running.processIdentifier, SIGSTOP) }
        }
    }

    /// Lets a ``pause()``d server go on (SIGCONT).
    public func resume() {
        process.withLock { current in
            if let running = current { Foundation.kill(running.processIdentifier, SIGCONT) }
        }
    }

    /// Starts a replica of this server (same password), and waits until its link to this one is up.
    public func startReplica() throws -> RedisServer {
        let replica = try RedisServer(
            executable: executable, arguments: ["--replicaof", "127.0.0.1", String(port)] + (password.map { ["--masterauth", $0] } ?? []),
            password: password)
        let connection = try RedisConnection(configuration: replica.configuration)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let info = try connection.send("INFO", "replication").string, info.contains("master_link_status:up") { return replica }
            usleep(20_000)
        }
        replica.stop()
        throw RedisServerError.notReady(port: replica.port, lastError: "its replication link never came up")
    }

    /// Starts a server as ``init(executable:arguments:password:)`` does, waiting on a Dispatch thread
    /// rather than the caller's: the wait polls with sleeps, and async code (a test suite's
    /// `init() async throws`) must not hold one of the few threads of Swift's cooperative pool
    /// meanwhile — dozens of suites starting servers at once used to stall every other test there.
    public static func start(
        executable: String? = nil, arguments: [String] = [], password: String? = RedisServer.newPassword()
    ) async throws -> RedisServer {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try RedisServer(executable: executable, arguments: arguments, password: password) })
            }
        }
    }

    /// Stops the server and removes its directory. Safe to call more than once.
    public func stop() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a fresh server and stops it afterwards, whatever `body` does.
    public static func with<Result: Sendable>(_ body: (RedisServer) async throws -> Result) async throws -> Result {
        let server = try RedisServer()
        defer { server.stop() }
        return try await body(server)
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        var lastError: (any Error)?
        while Date() < deadline {
            if process.withLock({ !($0?.isRunning ?? false) }) { throw RedisServerError.exited(port: port) }
            do {
                let connection = try RedisConnection(configuration: configuration)
                if try connection.send("PING").string == "PONG" { return }
            } catch {
                lastError = error
            }
            usleep(10_000)
        }
        throw RedisServerError.notReady(port: port, lastError: lastError.map { "\($0)" } ?? "no answer")
    }

    /// A random password: 32 hexadecimal digits (128 bits).
    public static func newPassword() -> String {
        (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8) }.joined()
    }

    /// The arguments of `redis-cli` and `redis-benchmark` that reach this server: `-p PORT` and,
    /// with a password, `-a PASSWORD`.
    public var cliArguments: [String] {
        ["-p", String(port)] + (password.map { ["-a", $0] } ?? [])
    }

    static func findExecutable() -> String {
        if let override = ProcessInfo.processInfo.environment["SLUICE_REDIS_SERVER"] { return override }
        for candidate in ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/bin/redis-server"
    }

    /// Asks the kernel for a free loopback port by binding port 0 (for servers a test starts beside Redis).
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RedisServerError.noFreePort }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RedisServerError.noFreePort }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw RedisServerError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why a test server could not be started.
public enum RedisServerError: Error, CustomStringConvertible {
    case noFreePort
    case notReady(port: Int, lastError: String)
    /// The server exited before it answered (its port was taken, or its arguments refused).
    case exited(port: Int)

    public var description: String {
        switch self {
        case .noFreePort: "no free TCP port for redis-server"
        case .notReady(let port, let lastError): "redis-server on port \(port) did not become ready: \(lastError)"
        case .exited(let port): "redis-server on port \(port) exited before it answered (see its log)"
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}

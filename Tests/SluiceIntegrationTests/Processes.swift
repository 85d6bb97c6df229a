import Foundation
import SluiceTesting
import Synchronization

/// The project's built executables (worker, scheduler, sluice, resumer), found next to the test
/// bundle, or in `SLUICE_BIN_DIR`.
enum Executables {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["SLUICE_BIN_DIR"] { return URL(fileURLWithPath: override) }
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The runner may be inside the .xctest bundle's directory tree.
        for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("worker").path) {
            candidate = candidate.deletingLastPathComponent()
        }
        return candidate
    }

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// A child process started by a test, killed when the test is done.
final class ChildProcess: Sendable {
    let process: Process
    let output: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : Executables.path(executable))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sluice-test-\(URL(fileURLWithPath: executable).lastPathComponent)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits up to `timeout` for the process to exit; returns its status, or nil if it is still running.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    var log: String {
        (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    /// Waits until the process's log contains `text` (up to `timeout`); whether it did.
    func waitForLog(containing text: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !log.contains(text), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return log.contains(text)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output)
    }
}

/// Runs one of the built executables to completion and returns its exit status, stdout and stderr.
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    try runProcess(Executables.path(executable), arguments, environment: environment)
}

/// Runs a program to completion and returns its exit status, stdout and stderr.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "SLUICE_REDIS_URL")
    for (key, value) in environment { env[key] = value }
    let run = try ProgramRun.run(path, arguments, environment: env)
    return (run.status, run.output, run.errors)
}

/// What a test can see of the machine's processes and files, for checking what scripts left behind.
enum HostInspection {
    /// The pids of live processes whose command line contains `text` (read from /proc; zombies excluded).
    static func processes(containing text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return false }
            let command = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            return command.contains(text) && !status.contains("State:\tZ")
        }
    }

    /// Waits up to `timeout` until no live process's command line contains `text`; returns the survivors.
    static func waitUntilGone(_ text: String, timeout: Duration = .seconds(3)) async -> [Int32] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if processes(containing: text).isEmpty { return [] }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return processes(containing: text)
    }

    /// Waits up to `timeout` until a process's command line contains `text`.
    static func waitUntilRunning(_ text: String, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !processes(containing: text).isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

// Async tests run on Swift's cooperative pool, which has one thread per core (two here). A test
// that waits for a process on one of them starves every other suite's in-process workers and
// schedulers, so in async code these overloads wait on a Dispatch thread instead; the compiler
// picks them there.

/// Runs one of the built executables to completion, waiting off the cooperative pool.
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (
    status: Int32, stdout: String, stderr: String
) {
    let path = Executables.path(executable)
    return try await offThread { try runProcess(path, arguments, environment: environment) }
}

/// Runs a program to completion, waiting off the cooperative pool.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (
    status: Int32, stdout: String, stderr: String
) {
    try await offThread { try runProcess(path, arguments, environment: environment) }
}

/// A gate a test holds a bash job at, instead of racing a `sleep`: a small TCP server on loopback
/// (a python3 child) that a job reaches with `read -r word < /dev/tcp/127.0.0.1/PORT` (the
/// sandbox keeps the network), or a python3 job with ``pythonLine``. The job is surely running once ``waitUntilReached(timeout:)``
/// says so, and goes on only once the test calls ``release()``. One connection per gate.
final class JobGate: Sendable {
    let port: String
    private let server: ChildProcess
    private let releaseFile: String

    init() async throws {
        releaseFile = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-gate-\(UUID().uuidString)").path
        server = try ChildProcess(
            "/usr/bin/python3",
            [
                "-c",
                """
                import os, socket, sys, time
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
                print("port", s.getsockname()[1], flush=True)
                c, _ = s.accept()
                print("connected", flush=True)
                while not os.path.exists(sys.argv[1]): time.sleep(0.02)
                c.sendall(b"go\\n"); c.close()
                """,
                releaseFile,
            ])
        _ = await server.waitForLog(containing: "port ", timeout: .seconds(30))
        guard let port = server.log.split(separator: "\n").first?.split(separator: " ").last.map(String.init) else {
            throw RawSocketError("the job gate did not start: \(server.log)")
        }
        self.port = port
    }

    deinit { try? FileManager.default.removeItem(atPath: releaseFile) }

    /// The bash line that holds a job at this gate.
    var bashLine: String { "read -r word < /dev/tcp/127.0.0.1/\(port)" }

    /// The python3 statement that holds a job at this gate (one line, at any indentation).
    var pythonLine: String { "__import__('socket').create_connection(('127.0.0.1', \(port))).makefile().readline()" }

    /// Waits until a job reached the gate (it is running and held); whether one did.
    func waitUntilReached(timeout: Duration = .seconds(60)) async -> Bool {
        await server.waitForLog(containing: "connected", timeout: timeout)
    }

    /// Lets the held job go on.
    func release() {
        FileManager.default.createFile(atPath: releaseFile, contents: nil)
    }
}

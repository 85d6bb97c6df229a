import CSluiceLinux
import Foundation
import Glibc
import SluiceCore
import Synchronization

/// One long-lived runner process (``WarmPythonProgram``: a fork server, or a dedicated process for
/// one script version) and the worker's side of its control socket.
///
/// The process is started with `posix_spawn`: fd 0 and 1 are one end of a unix socket pair, fd 2 a
/// log file for the runner's own errors, every other descriptor closed. A dedicated thread reads
/// the runner's answers and completes the waiting jobs; the socket's end of file (the runner
/// died) fails every waiting job, and the runner is then ``isAlive`` no more.
final class WarmRunner: Sendable {
    /// How one job ended in the runner.
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// The runner cannot take (or finish) a job.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// How a job ended and, from a dedicated process, its outcome as JSON text.
    struct Finished: Sendable {
        var ending: Ending
        var outcome: String?
    }

    private struct State {
        var waiting: [String: CheckedContinuation<Finished, any Error>] = [:]
        /// Who hears a forked job's pid (its channel, to admit the job's own processes only).
        var started: [String: @Sendable (Int32) -> Void] = [:]
        var ready: CheckedContinuation<Void, any Error>?
        var isReady = false
        var closed: String?
        var nextToken = 0
    }

    let pid: pid_t
    /// When the process started (its `/proc` start time): tells it from a later process that reuses its pid.
    let started: UInt64?
    let errorLog: String
    /// A dedicated process's own directory (its jobs' directories are made inside), removed by
    /// the job that ended the process once it has read that job's output; `nil` for a fork server.
    let home: String?
    private let socket: Int32
    private let state = Mutex(State())
    private let secrets = Mutex(SecretRedactor())

    /// The secret values this process's jobs read so far: a dedicated process may still hold them
    /// in memory, so every later job's outcome is masked with them as well.
    var heldSecrets: SecretRedactor { secrets.withLock { $0 } }

    /// Remembers the secret values a job of this process read.
    func remember(_ read: SecretRedactor) {
        guard !read.isEmpty else { return }
        secrets.withLock { $0.merge(read) }
    }

    /// Starts `executable arguments…` with `environment` on `spawner` (a sandbox that dies with
    /// its parent dies with that thread), and waits until it says it is ready. `lineLimit` bounds
    /// one line on the control socket (a dedicated process's outcome is one line): a runner that
    /// sends a longer one is killed and its job fails.
    static func start(
        executable: String, arguments: [String], environment: [String: String], errorLog: String, home: String?, lineLimit: Int,
        spawner: SpawningThread
    ) async throws -> WarmRunner {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw Failure(description: "socketpair: \(String(cString: strerror(errno)))")
        }
        let logDescriptor = open(errorLog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        var descriptors: [Int32: Int32] = [0: pair[1], 1: pair[1]]
        if logDescriptor >= 0 { descriptors[2] = logDescriptor }
        let pid: pid_t
        do {
            let descriptors = descriptors
            pid = try await spawner.run {
                try ChildSpawn.spawn(executable: executable, arguments: arguments, environment: environment, descriptors: descriptors)
            }
        } catch {
            close(pair[0])
            close(pair[1])
            if logDescriptor >= 0 { close(logDescriptor) }
            throw Failure(description: "\(error)")
        }
        // Only the child holds its end now: a runner that dies before it is ready is end of file
        // on ours at once (held here while waiting, it would never be).
        close(pair[1])
        if logDescriptor >= 0 { close(logDescriptor) }
        let runner = WarmRunner(pid: pid, socket: pair[0], errorLog: errorLog, home: home, lineLimit: lineLimit)
        runner.startReading()
        try await runner.waitUntilReady()
        return runner
    }

    private init(pid: pid_t, socket: Int32, errorLog: String, home: String?, lineLimit: Int) {
        self.pid = pid
        self.started = ProcessAncestry.startTime(of: pid)
        self.socket = socket
        self.errorLog = errorLog
        self.home = home
        self.lineLimit = lineLimit
    }

    /// The longest line the runner may send.
    let lineLimit: Int

    var isAlive: Bool { state.withLock { $0.closed == nil } }

    /// Runs the job whose directory is `directory`. `descriptors` go with the message, and are
    /// closed here once sent: first the job's output file; for a forked job then the memory files
    /// it reads its arguments and environment from and writes its outcome to. `attach` receives
    /// the job's kill action as soon as the job is sent.
    func run(
        directory: String, script: String? = nil, job: String? = nil, descriptors: [Int32], started: (@Sendable (Int32) -> Void)? = nil,
        attach: (@escaping @Sendable () -> Void) -> Void
    ) async throws -> Finished {
        let token = state.withLock { state -> String in
            state.nextToken += 1
            let token = "j\(state.nextToken)"
            if let started { state.started[token] = started }
            return token
        }
        defer { _ = state.withLock { $0.started.removeValue(forKey: token) } }
        return try await withCheckedThrowingContinuation { continuation in
            let refused = state.withLock { state -> String? in
                if let closed = state.closed { return closed }
                state.waiting[token] = continuation
                return nil
            }
            if let refused {
                for descriptor in descriptors { close(descriptor) }
                continuation.resume(throwing: Failure(description: refused))
                return
            }
            var fields = ["run", token, directory]
            if let script { fields.append(script) }
            if let job { fields += ["-", job] }
            let message = Array(fields.joined(separator: "\t").utf8) + [UInt8(ascii: "\n")]
            var sent = message.withUnsafeBytes { bytes in
                descriptors.withUnsafeBufferPointer {
                    c_sluice_send_with_descriptors(socket, bytes.baseAddress, UInt(bytes.count), $0.baseAddress, Int32($0.count))
                }
            }
            for descriptor in descriptors { close(descriptor) }
            // A long message (a job's arguments) may go in several parts; the descriptors went with the first.
            while sent > 0, sent < message.count {
                let more = message.withUnsafeBytes { Glibc.send(socket, $0.baseAddress?.advanced(by: sent), $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if more < 0, errno == EINTR { continue }
                guard more > 0 else { break }
                sent += more
            }
            if sent != message.count {
                let waiting = state.withLock { $0.waiting.removeValue(forKey: token) }
                waiting?.resume(throwing: Failure(description: "cannot send the job to its runner: \(String(cString: strerror(errno)))"))
                return
            }
            // Only now: a kill asked for earlier (a cancel or timeout while the job was being
            // prepared) is sent at once, and the runner ignores a kill for a token it does not know.
            attach { [weak self] in self?.kill(token: token) }
        }
    }

    /// Kills one job (the runner kills its process group; what it leaves is killed as it is reparented).
    /// Fields are tab-separated, as in a `run` message.
    func kill(token: String) {
        send("kill\t\(token)\n")
    }

    /// Ends the runner and everything it runs.
    func terminate() {
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
        shutdown(socket, Int32(SHUT_RDWR))
    }

    private func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func waitUntilReady() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Result<Void, Failure>? in
                if state.isReady { return .success(()) }
                if let closed = state.closed { return .failure(Failure(description: closed)) }
                state.ready = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// The reader: one thread per runner, blocking in `read` on the socket (never on Swift's pool).
    private func startReading() {
        let thread = Thread { [self] in
            var pending: [UInt8] = []
            // Bytes of `pending` already known to hold no newline: each byte is scanned once.
            var scanned = 0
            var overflow: String?
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                var start = 0
                while let newline = pending[(start + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                    handle(String(decoding: pending[start..<newline], as: UTF8.self))
                    start = newline + 1
                    scanned = 0
                }
                if start > 0 { pending.removeSubrange(..<start) }
                scanned = pending.count
                if pending.count > lineLimit {
                    // A runner that writes a line this long is broken or abused: end it, fail its job.
                    overflow =
                        "the warm runner sent a line longer than \(lineLimit) bytes: the job's outcome is over this worker's result limit "
                        + "(worker --result-limit), or the job wrote to the runner's control socket"
                    Glibc.kill(pid, SIGKILL)
                    break
                }
            }
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            let reason = overflow ?? "the warm runner ended (\(Self.describe(status)))\(lastError())"
            // Its error log goes with it (a dedicated process's home goes once its job is handled).
            try? FileManager.default.removeItem(atPath: errorLog)
            let (waiting, ready) = state.withLock { state -> ([CheckedContinuation<Finished, any Error>], CheckedContinuation<Void, any Error>?) in
                state.closed = reason
                defer {
                    state.waiting = [:]
                    state.ready = nil
                }
                return (Array(state.waiting.values), state.ready)
            }
            close(socket)
            for continuation in waiting { continuation.resume(throwing: Failure(description: reason)) }
            ready?.resume(throwing: Failure(description: reason))
        }
        thread.name = "sluice.warm.\(pid)"
        thread.start()
    }

    private func handle(_ line: String) {
        let halves = line.split(separator: "\t", maxSplits: 1)
        let outcome = halves.count == 2 ? String(halves[1]) : nil
        let parts = (halves.first ?? "").split(separator: " ")
        guard let kind = parts.first else { return }
        switch kind {
        case "ready":
            let ready = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                state.isReady = true
                defer { state.ready = nil }
                return state.ready
            }
            ready?.resume()
        case "started":
            guard parts.count == 3, let pid = Int32(parts[2]) else { return }
            let listener = state.withLock { $0.started.removeValue(forKey: String(parts[1])) }
            listener?(pid)
        case "exit", "signal":
            guard parts.count == 3, let value = Int32(parts[2]) else { return }
            let continuation = state.withLock { $0.waiting.removeValue(forKey: String(parts[1])) }
            continuation?.resume(returning: Finished(ending: kind == "exit" ? .exited(value) : .signaled(value), outcome: outcome))
        default:
            return
        }
    }

    private func lastError() -> String {
        guard let text = try? String(contentsOfFile: errorLog, encoding: .utf8), !text.isEmpty else { return "" }
        return ": " + text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }

    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit code \((status >> 8) & 0xff)" : "signal \(signal)"
    }
}

import Foundation
import Glibc
import SluiceCore
import SluiceFlows
import Synchronization

/// The worker's JavaScript engine for flow expressions beyond the in-process subset: one warm Deno
/// process (`expression-engine.js`) with no permissions at all, inside the job sandbox, its V8 heap
/// capped; started on first use and again after it dies. One evaluation at a time: a request line
/// out, an answer line back, each with a fresh random id. An evaluation that overruns its time is
/// ended by killing the process (the next one starts a new one).
///
/// Its calls block (they run where flow decisions run: on a Redis client's thread, never on the
/// cooperative pool or an event loop).
final class DenoExpressionEngine: ExpressionEngine {
    /// How the engine's process is started (in the sandbox, with its directory).
    struct Launch: Sendable {
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var errorLog: String
    }

    private struct Running {
        var pid: pid_t
        var socket: Int32
        var pending: [UInt8] = []
    }

    private let launch: @Sendable () throws -> Launch
    private let timeLimit: Duration
    private let lineLimit: Int
    private let running = Mutex<Running?>(nil)
    /// Where the engine's process is started: in its sandbox it dies with the thread that started
    /// it (`--die-with-parent`), so not with whichever pool thread asked first.
    private let spawner: SpawningThread

    init(
        timeLimit: Duration = .seconds(5), lineLimit: Int = 8 << 20, spawner: SpawningThread, launch: @escaping @Sendable () throws -> Launch
    ) {
        self.timeLimit = timeLimit
        self.lineLimit = lineLimit
        self.spawner = spawner
        self.launch = launch
    }

    deinit {
        stop()
    }

    /// Ends the engine now (its next evaluation would start a new one).
    func stop() {
        running.withLock { state in
            if let current = state { Self.stop(current) }
            state = nil
        }
    }

    func evaluate(_ code: String, variables: [String: JSONValue?], references: [Reference: ResolvedReference], steps: [String]) throws
        -> JSONValue
    {
        var scope: [(String, JSONValue)] = []
        var undefined: [JSONValue] = []
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
            if let value { scope.append((name, value)) } else { undefined.append(.string(name)) }
        }
        var named: [(String, JSONValue)] = []
        for (reference, resolved) in references {
            switch resolved {
            case .value(let value): named.append(("\(reference.kind.rawValue):\(reference.path)", ["value": value]))
            case .failure(let message): named.append(("\(reference.kind.rawValue):\(reference.path)", ["error": .string(message)]))
            }
        }
        let id = String(UInt64.random(in: 0...UInt64.max), radix: 16) + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let request: JSONValue = [
            "id": .string(id), "source": .string(code), "scope": JSONValue(members: scope), "undefined": .array(undefined),
            "references": JSONValue(members: named), "steps": .array(steps.map { .string($0) }),
        ]
        let answer = try exchange(Array((request.jsonText + "\n").utf8), id: id)
        if let error = answer["error"]?.stringValue { throw FlowRuntimeError(error) }
        guard let text = answer["json"]?.stringValue, let value = try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth) else {
            throw FlowRuntimeError("the JavaScript engine gave no usable value")
        }
        return value
    }

    /// Sends one request and waits for the answer carrying `id`, within the time limit.
    private func exchange(_ request: [UInt8], id: String) throws -> JSONValue {
        try running.withLock { state -> JSONValue in
            // An engine that ended since its last answer (killed from outside, say) is replaced
            // before the request: the request has not been evaluated, so nothing is lost.
            if let current = state, !Self.isOpen(current.socket) {
                Self.stop(current)
                state = nil
            }
            if state == nil { state = try start() }
            guard var current = state else { throw FlowRuntimeError("the JavaScript engine is not running") }
            let deadline = ContinuousClock.now + timeLimit
            guard Self.send(request, to: current.socket) else {
                Self.stop(current)
                state = nil
                throw FlowRuntimeError("the JavaScript engine stopped answering (it is restarted for the next expression)")
            }
            while true {
                if let newline = current.pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(current.pending[..<newline])
                    current.pending.removeSubrange(...newline)
                    state = current
                    // A line that is not this request's answer (output an earlier evaluation left
                    // behind) is dropped.
                    if let answer = try? JSONValue(parsingBytes: line), answer["id"]?.stringValue == id { return answer }
                    continue
                }
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero, current.pending.count <= lineLimit else {
                    Self.stop(current)
                    state = nil
                    throw FlowRuntimeError(
                        current.pending.count > lineLimit
                            ? "the expression's value is larger than \(lineLimit) bytes"
                            : "the expression ran longer than \(timeLimit) (the JavaScript engine is restarted for the next one)")
                }
                switch Self.read(current.socket, within: remaining) {
                case .bytes(let bytes): current.pending += bytes
                case .timedOut: continue
                case .ended:
                    Self.stop(current)
                    state = nil
                    throw FlowRuntimeError(
                        "the JavaScript engine ended while evaluating the expression (out of memory?); it is restarted for the next one")
                }
            }
        }
    }

    private func start() throws -> Running {
        let launch = try launch()
        // One socket pair, the child's end its stdin and stdout: a write to a dead engine fails
        // with EPIPE (MSG_NOSIGNAL), never a SIGPIPE to the worker.
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw FlowRuntimeError("cannot make a socket pair: \(String(cString: strerror(errno)))")
        }
        let log = open(launch.errorLog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            close(pair[1])
            if log >= 0 { close(log) }
        }
        var descriptors: [Int32: Int32] = [0: pair[1], 1: pair[1]]
        if log >= 0 { descriptors[2] = log }
        do {
            let descriptors = descriptors
            let pid = try spawner.run {
                try ChildSpawn.spawn(
                    executable: launch.executable, arguments: launch.arguments, environment: launch.environment, descriptors: descriptors)
            }
            return Running(pid: pid, socket: pair[0])
        } catch {
            close(pair[0])
            throw FlowRuntimeError("cannot start the JavaScript engine: \(error)")
        }
    }

    private static func stop(_ running: Running) {
        Glibc.kill(-running.pid, SIGKILL)
        Glibc.kill(running.pid, SIGKILL)
        close(running.socket)
        var status: Int32 = 0
        _ = waitpid(running.pid, &status, 0)
    }

    /// Whether the engine's end of the socket is still open (no hang-up, no error pending).
    private static func isOpen(_ socket: Int32) -> Bool {
        // A unix socket whose peer closed (the engine ended) reports a hang-up.
        var poll = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, 0) >= 0 else { return true }
        let ended = Int16(POLLHUP) | Int16(POLLERR)
        return poll.revents & ended == 0
    }

    private static func send(_ bytes: [UInt8], to socket: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private enum ReadOutcome {
        case bytes([UInt8])
        case timedOut
        case ended
    }

    private static func read(_ descriptor: Int32, within limit: Duration) -> ReadOutcome {
        var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: max(1, limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000))
        let ready = Glibc.poll(&poll, 1, milliseconds)
        if ready < 0 { return errno == EINTR ? .timedOut : .ended }
        if ready == 0 { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { return .timedOut }
        guard count > 0 else { return .ended }
        return .bytes(Array(buffer[0..<count]))
    }
}

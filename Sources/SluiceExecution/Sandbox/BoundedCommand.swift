import CSluiceLinux
import Foundation
import Glibc

/// A short command run to its end on a thread of its own, or killed (its whole process group) when
/// it has not ended by a deadline — for the start-up checks a worker makes before it takes jobs,
/// which must never hold the worker up for ever.
///
/// Started with ``ChildSpawn`` and waited for with `waitpid` on that one child, so nothing depends
/// on the async runtime or on another library's process monitoring while the worker starts.
enum BoundedCommand {
    /// How a bounded run ended.
    enum Ending: Equatable {
        /// It exited with `status` (or was killed by a signal: `signal`), writing `standardError`
        /// (its first 4 KiB).
        case exited(status: Int32, signal: Int32?, standardError: String)
        /// It had not ended by the deadline and was killed.
        case timedOut
        /// It could not be started.
        case notStarted(String)
    }

    /// Runs `executable arguments…` with an empty environment, standard input and output on
    /// `/dev/null`, and waits up to `deadline` for it.
    static func run(executable: String, arguments: [String], deadline: Duration) async -> Ending {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: runBlocking(executable: executable, arguments: arguments, deadline: deadline)) }
            thread.name = "sluice.bounded-command"
            thread.start()
        }
    }

    private static func runBlocking(executable: String, arguments: [String], deadline: Duration) -> Ending {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { return .notStarted("cannot open /dev/null: \(String(cString: strerror(errno)))") }
        defer { close(null) }
        var pipe: [Int32] = [-1, -1]
        guard c_sluice_pipe_nonblocking(&pipe) == 0 else { return .notStarted("cannot make a pipe: \(String(cString: strerror(errno)))") }
        defer { close(pipe[0]) }
        let pid: pid_t
        do {
            pid = try ChildSpawn.spawn(executable: executable, arguments: arguments, environment: [:], descriptors: [0: null, 1: null, 2: pipe[1]])
        } catch {
            close(pipe[1])
            return .notStarted(error.description)
        }
        close(pipe[1])
        let end = ContinuousClock.now + deadline
        var errorBytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var status: Int32 = 0
        while true {
            drain(pipe[0], into: &errorBytes, buffer: &buffer)
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0, errno != EINTR { return .notStarted("cannot wait for \(executable): \(String(cString: strerror(errno)))") }
            if ContinuousClock.now >= end {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                return .timedOut
            }
            usleep(2_000)
        }
        // What is left in the pipe (its last writers may be the command's own children).
        drain(pipe[0], into: &errorBytes, buffer: &buffer)
        let message = String(decoding: errorBytes, as: UTF8.self)
        let signaled = status & 0x7f
        if signaled != 0 { return .exited(status: -1, signal: signaled, standardError: message) }
        return .exited(status: (status >> 8) & 0xff, signal: nil, standardError: message)
    }

    /// Reads what the non-blocking pipe holds, keeping the first 4 KiB.
    private static func drain(_ descriptor: Int32, into bytes: inout [UInt8], buffer: inout [UInt8]) {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            if bytes.count < 4096 { bytes += buffer.prefix(min(count, 4096 - bytes.count)) }
        }
    }
}

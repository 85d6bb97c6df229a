import CSluiceLinux
import Glibc
import SluiceCore

/// The program inside one slot sandbox (see ``SlotSandboxes``): the worker binary started with
/// ``argument`` inside a bubblewrap sandbox made once for a worker slot, running that slot's jobs
/// one after the other, each confined by `c_sluice_spawn_confined` — its own user, PID and IPC
/// namespace, its own Landlock domain, no capability.
///
/// It speaks the warm runners' protocol on fd 0/1 (``WarmRunner``): it answers `ready ABI` once;
/// `run TOKEN DIR` comes with three descriptors — the job's stdout and stderr and the memory file
/// holding its command and environment, which only the job's own process reads — and is answered
/// `started TOKEN PID` (the pid, in this sandbox's PID namespace, of the init of the job's own namespace: the job's processes
/// descend from it) and later `exit TOKEN CODE`; `kill TOKEN` kills the job and everything it
/// started. After each job the sandbox's `/tmp` is emptied, so the next job finds it as a fresh
/// sandbox would. End of file on the socket (the worker is gone) kills the job and ends the program.
public enum SlotSandboxLauncher {
    /// The worker's hidden option that runs this program; its value is the configuration (JSON:
    /// `readable`, `devices`, `writable` paths).
    public static let argument = "--slot-sandbox"

    /// Serves jobs until the worker closes the socket, then exits.
    public static func serve(configuration: String) -> Never {
        let control: Int32 = 0
        guard let settings = try? JSONValue(parsing: configuration) else { fail("the configuration is not JSON") }
        let readable = descriptors(of: settings["readable"])
        let devices = descriptors(of: settings["devices"])
        let writablePaths = (settings["writable"]?.arrayValue ?? []).compactMap(\.stringValue)
        let writable = writablePaths.compactMap { path -> Int32? in
            let descriptor = c_sluice_open_path(path)
            return descriptor >= 0 ? descriptor : nil
        }
        // Refuse at once where jobs cannot be confined: the worker then gives bash jobs a sandbox each.
        switch c_sluice_probe_confinement() {
        case 0: break
        case -2: fail("Landlock ABI \(c_sluice_landlock_abi()): at least 6 (Linux 6.12) is needed to confine jobs in a slot sandbox")
        case let failure: fail("cannot make a user, PID and IPC namespace here: \(String(cString: strerror(failure)))")
        }
        send("ready \(c_sluice_landlock_abi())", on: control)

        var pending: [UInt8] = []
        var received: [Int32] = []
        /// Each running job's namespace init: its token and a pidfd that becomes readable when it ends
        /// (SIGCHLD may go to any thread of this process, so it is not waited for).
        var running: [pid_t: (token: String, ended: Int32)] = [:]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var watched = [pollfd(fd: control, events: Int16(POLLIN), revents: 0)]
            watched += running.values.map { pollfd(fd: $0.ended, events: Int16(POLLIN), revents: 0) }
            guard poll(&watched, nfds_t(watched.count), -1) >= 0 || errno == EINTR else { fail("poll failed") }
            if watched.dropFirst().contains(where: { $0.revents != 0 }) { reap(&running, control: control, emptying: writablePaths) }
            guard watched[0].revents != 0 else { continue }
            var fds = [Int32](repeating: -1, count: 8)
            var count: Int32 = 0
            let length = buffer.withUnsafeMutableBytes { bytes in
                c_sluice_receive_with_descriptors(control, bytes.baseAddress, UInt(bytes.count), &fds, 8, &count)
            }
            if length < 0, errno == EINTR || errno == EAGAIN { continue }
            if length <= 0 {
                for initPID in running.keys { kill(initPID, SIGKILL) }
                exit(0)
            }
            received += fds.prefix(Int(count))
            pending += buffer[0..<length]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                // The worker separates fields with tabs (a directory may hold spaces); `kill TOKEN`
                // with a space is still understood.
                let separator: Character = line.hasPrefix("kill ") ? " " : "\t"
                let fields = line.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
                switch fields.first {
                case "run" where fields.count >= 3 && received.count >= 3:
                    let (output, error, jobFile) = (received[0], received[1], received[2])
                    received.removeFirst(3)
                    let initPID = start(
                        directory: fields[2], output: output, error: error, jobFile: jobFile, readable: readable, devices: devices, writable: writable
                    )
                    for descriptor in [output, error, jobFile] { close(descriptor) }
                    let ended = initPID > 0 ? c_sluice_pidfd_open(initPID) : -1
                    if initPID > 0, ended >= 0 {
                        running[initPID] = (fields[1], ended)
                        send("started \(fields[1]) \(initPID)", on: control)
                    } else {
                        if initPID > 0 { kill(initPID, SIGKILL) }
                        send("exit \(fields[1]) 125", on: control)
                    }
                case "kill" where fields.count >= 2:
                    for (initPID, job) in running where job.token == fields[1] { kill(initPID, SIGKILL) }
                default:
                    continue
                }
            }
        }
    }

    private static func start(
        directory: String, output: Int32, error: Int32, jobFile: Int32, readable: [Int32], devices: [Int32], writable: [Int32]
    ) -> pid_t {
        readable.withUnsafeBufferPointer { readable in
            devices.withUnsafeBufferPointer { devices in
                writable.withUnsafeBufferPointer { writable in
                    directory.withCString { directory in
                        var job = c_sluice_confined_job(
                            job_file: jobFile, standard_output: output, standard_error: error, directory: directory,
                            readable: readable.baseAddress, readable_count: Int32(readable.count), devices: devices.baseAddress,
                            device_count: Int32(devices.count), writable: writable.baseAddress, writable_count: Int32(writable.count),
                            uid: getuid(), gid: getgid())
                        return c_sluice_spawn_confined(&job)
                    }
                }
            }
        }
    }

    /// Reports every ended job, then empties the writable directories when no job runs.
    private static func reap(_ running: inout [pid_t: (token: String, ended: Int32)], control: Int32, emptying directories: [String]) {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { break }
            guard let job = running.removeValue(forKey: pid) else { continue }
            close(job.ended)
            let signal = status & 0x7f
            send(signal == 0 ? "exit \(job.token) \((status >> 8) & 0xff)" : "signal \(job.token) \(signal)", on: control)
        }
        if running.isEmpty {
            for directory in directories { empty(directory) }
        }
    }

    /// Removes everything inside `directory` (not the directory), without following symlinks or
    /// crossing into another file system.
    private static func empty(_ directory: String) {
        var own = stat()
        guard lstat(directory, &own) == 0, let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != ".", name != ".." else { continue }
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_dev == own.st_dev else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                empty(path)
                rmdir(path)
            } else {
                unlink(path)
            }
        }
    }

    private static func descriptors(of paths: JSONValue?) -> [Int32] {
        (paths?.arrayValue ?? []).compactMap(\.stringValue).compactMap { path in
            let descriptor = c_sluice_open_path(path)
            return descriptor >= 0 ? descriptor : nil
        }
    }

    private static func send(_ line: String, on socket: Int32) {
        let bytes = Array((line + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress?.advanced(by: sent), $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { exit(1) }
            sent += count
        }
    }

    private static func fail(_ message: String) -> Never {
        let bytes = Array("slot sandbox: \(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(1)
    }
}

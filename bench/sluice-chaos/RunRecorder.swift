import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One run of a script as the script itself reported it: `start` when it began, `end` when it got
/// to its last line, with the worker that ran it. `sequence` orders every report the recorder
/// received; `at` is when it arrived.
struct RunEvent: Sendable {
    enum Kind: String, Sendable {
        case start
        case end
    }

    var sequence: Int
    var kind: Kind
    var job: String
    var delivery: Int
    var worker: String
    var at: ContinuousClock.Instant
}

/// Where the chaos scripts report their runs. Jobs run in the worker's bubblewrap sandbox, where
/// only their scratch directory is writable, but they share the host's network: so each script
/// opens a TCP connection to this recorder (bash through `/dev/tcp`, Python with `socket`) and
/// writes `start|end JOB DELIVERY WORKER`. The recorder appends every line to `runs.log` in the
/// scenario's directory, in arrival order, and keeps them for the audit. It is independent of
/// Redis, so a run is counted even while Redis is down or losing writes.
///
/// One thread polls the listening socket and the open connections; connections are short (one
/// line each), so a few hundred are open at most.
final class RunRecorder: Sendable {
    let port: Int
    let logFile: URL
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var events: [RunEvent] = []
        var stopped = false
        var malformed = 0
    }

    init(directory: URL) throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ChaosFailure("recorder: socket failed (errno \(errno))") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let listenerSocket = listener
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenerSocket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        guard bound == 0, listen(listener, 4096) == 0 else { throw ChaosFailure("recorder: bind/listen failed (errno \(errno))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listenerSocket, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        logFile = directory.appendingPathComponent("runs.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let thread = Thread { [self] in self.serve(log: log) }
        thread.name = "chaos.recorder"
        thread.start()
    }

    /// Every run reported so far, in arrival order.
    var events: [RunEvent] {
        state.withLock { $0.events }
    }

    /// Lines that were not `start|end JOB DELIVERY WORKER` (a script killed mid-write leaves half a line).
    var malformedLines: Int {
        state.withLock { $0.malformed }
    }

    /// Stops serving (the thread closes the sockets).
    func stop() {
        state.withLock { $0.stopped = true }
    }

    private func serve(log: FileHandle) {
        var connections: [Int32: [UInt8]] = [:]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !state.withLock({ $0.stopped }) {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            descriptors += connections.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), 100)
            guard ready > 0 else { continue }
            for entry in descriptors where entry.revents != 0 {
                if entry.fd == listener {
                    while connections.count < 1000 {
                        let client = accept(listener, nil, nil)
                        guard client >= 0 else { break }
                        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                        connections[client] = []
                    }
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    connections[entry.fd, default: []].append(contentsOf: buffer[0..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    record(connections.removeValue(forKey: entry.fd) ?? [], log: log)
                    close(entry.fd)
                }
            }
        }
        for descriptor in connections.keys { close(descriptor) }
        close(listener)
        try? log.close()
    }

    private func record(_ bytes: [UInt8], log: FileHandle) {
        let text = String(decoding: bytes, as: UTF8.self)
        let now = ContinuousClock.now
        var written = ""
        state.withLock { state in
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, let kind = RunEvent.Kind(rawValue: String(parts[0])), let delivery = Int(parts[2]) else {
                    state.malformed += 1
                    continue
                }
                let event = RunEvent(
                    sequence: state.events.count, kind: kind, job: String(parts[1]), delivery: delivery, worker: String(parts[3]), at: now)
                state.events.append(event)
                written += "\(event.sequence) \(line)\n"
            }
        }
        log.write(Data(written.utf8))
    }
}

/// A chaos run that could not be carried out (not a finding about Sluice: those are problems in
/// a scenario's audit).
struct ChaosFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

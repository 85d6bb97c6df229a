import CSluiceLinux
import Foundation
import Glibc
import SluiceCore
import Synchronization

/// The worker process's side of every job's channel: one thread that owns all the sockets — each
/// job's listening socket and the connections made to it — and never blocks on one of them
/// (non-blocking sockets, `poll`). Complete request lines are checked against the job's token and
/// handed to the job's ``JobChannel/calls``; answers come back through ``JobChannel/Call/reply``.
///
/// A job reaches its own socket only: it sits in the job's scratch directory, which no other job
/// can see (bubblewrap) or list (Landlock); a connection from a process that is not the job's
/// (``ProcessAncestry``) is closed at once, and a request without the job's token is refused.
/// Bounded: 16 connections per job, 2 MiB per request, 16 requests waiting per connection.
final class ChannelServer: Sendable {
    /// The socket's file name in a job's directory.
    static let socketName = ".channel"

    /// The bytes of a Unix socket address's path, its terminating zero included (`sun_path`).
    static let socketAddressLimit = 108
    static let maximumRequest = 2 << 20
    /// How much of a refused request's rest is read and dropped before its connection is closed.
    static let maximumDiscarded = 64 << 20
    static let maximumConnections = 16
    static let maximumPending = 16

    fileprivate struct Listener: Sendable {
        var id: Int
        var descriptor: Int32
        var path: String
        var token: [UInt8]
        var continuation: AsyncStream<JobChannel.Call>.Continuation
        /// The job's process, once known: only it and its descendants are admitted.
        var job: ProcessAncestry.JobProcess?
    }

    /// What other threads hand the loop.
    fileprivate struct Inbox {
        var opened: [Listener] = []
        var closed: [Int] = []
        var admitted: [(id: Int, job: ProcessAncestry.JobProcess)] = []
        var replies: [(connection: Int, bytes: [UInt8])] = []
        var nextID = 0
        var started = false
        var stopping = false
        /// Whether the wake-up pipe is closed: after that, nothing may write to (or close) its
        /// descriptors again — their numbers may belong to another file by then (a Redis
        /// connection, another library's pipe), which a stray byte or close would corrupt.
        var wakeClosed = false
    }

    private let inbox = Mutex(Inbox())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init() throws(ScratchError) {
        var descriptors: [Int32] = [-1, -1]
        guard c_sluice_pipe_nonblocking(&descriptors) == 0 else { throw ScratchError("pipe2: \(String(cString: strerror(errno)))") }
        wakeRead = descriptors[0]
        wakeWrite = descriptors[1]
    }

    /// Opens a channel for a job: its socket at `socketDirectory/.channel` (the job's scratch
    /// directory, unless a dedicated process needs a fixed path). It admits only the job's own
    /// processes, once ``JobChannel/admit(_:)`` names the job's process (until then a connection
    /// waits, unread).
    func open(in socketDirectory: String) throws(ScratchError) -> JobChannel {
        let path = socketDirectory + "/" + Self.socketName
        let descriptor = try Self.listen(at: path, directory: socketDirectory)
        let token = Hex.random(bytes: 32)
        let (calls, continuation) = AsyncStream<JobChannel.Call>.makeStream(bufferingPolicy: .unbounded)
        let (id, start) = inbox.withLock { inbox -> (Int, Bool) in
            if inbox.stopping { return (0, false) }
            inbox.nextID += 1
            inbox.opened.append(Listener(id: inbox.nextID, descriptor: descriptor, path: path, token: Array(token.utf8), continuation: continuation))
            defer { inbox.started = true }
            return (inbox.nextID, !inbox.started)
        }
        guard id > 0 else {
            Glibc.close(descriptor)
            unlink(path)
            throw ScratchError("the worker is stopping: no new channels")
        }
        if start { startLoop() }
        wake()
        return JobChannel(id: id, path: path, token: token, calls: calls, server: self)
    }

    /// Names the process of channel `id`'s job.
    func admit(_ id: Int, _ job: ProcessAncestry.JobProcess) {
        inbox.withLock { $0.admitted.append((id, job)) }
        wake()
    }

    func close(_ id: Int) {
        inbox.withLock { $0.closed.append(id) }
        wake()
    }

    /// Ends the loop and closes every socket (the worker is stopping).
    func shutDown() {
        let running = inbox.withLock { inbox -> Bool in
            inbox.stopping = true
            return inbox.started
        }
        if running { wake() } else { closeWakePipe() }
    }

    /// Closes the wake-up pipe, once.
    fileprivate func closeWakePipe() {
        inbox.withLock { inbox in
            guard !inbox.wakeClosed else { return }
            inbox.wakeClosed = true
            Glibc.close(wakeRead)
            Glibc.close(wakeWrite)
        }
    }

    fileprivate func reply(_ connection: Int, _ response: ChannelResponse) {
        inbox.withLock { $0.replies.append((connection, response.line)) }
        wake()
    }

    /// Wakes the loop — unless the pipe is closed (a channel closed or answered after the worker
    /// stopped): never a byte into a descriptor number that may be another file's by now.
    private func wake() {
        inbox.withLock { inbox in
            guard !inbox.wakeClosed else { return }
            var byte: UInt8 = 1
            _ = Glibc.write(wakeWrite, &byte, 1)
        }
    }

    /// A non-blocking listening socket at `path`; through `/proc/self/fd` when the path is longer
    /// than a socket address holds.
    private static func listen(at path: String, directory: String) throws(ScratchError) -> Int32 {
        unlink(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw ScratchError("socket: \(String(cString: strerror(errno)))") }
        var directoryDescriptor: Int32 = -1
        defer { if directoryDescriptor >= 0 { Glibc.close(directoryDescriptor) } }
        var target = path
        if path.utf8.count >= Self.socketAddressLimit {
            directoryDescriptor = c_sluice_open_directory_path(directory)
            target = "/proc/self/fd/\(directoryDescriptor)/\(socketName)"
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(target.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(descriptor)
            throw ScratchError("the channel's path \(path) is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o600) == 0, Glibc.listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw ScratchError("cannot listen on \(path): \(reason)")
        }
        return descriptor
    }

    private func startLoop() {
        let thread = Thread { [self] in
            var loop = ChannelLoop(server: self)
            loop.run()
        }
        thread.name = "sluice.channels"
        thread.start()
    }

    /// Takes what other threads left: new channels, closed ones, answers, the stop request.
    fileprivate func drain() -> Inbox {
        var buffer = [UInt8](repeating: 0, count: 256)
        while Glibc.read(wakeRead, &buffer, buffer.count) > 0 {}
        return inbox.withLock { inbox in
            defer {
                inbox.opened = []
                inbox.closed = []
                inbox.admitted = []
                inbox.replies = []
            }
            return inbox
        }
    }

    /// The loop's own state, touched only by its thread.
    private struct ChannelLoop {
        struct Connection {
            var descriptor: Int32
            var listener: Int
            var input: [UInt8] = []
            var output: [UInt8] = []
            var pending = 0
            var ended = false
            /// Whether a request over the size limit was refused: what else the peer sends is read
            /// and dropped until it closes, so it gets the refusal rather than a reset.
            var refused = false
            /// Bytes dropped since then: past ``ChannelServer/maximumDiscarded`` the connection is closed.
            var discarded = 0
            /// Whether the peer is a process of the channel's job (checked once the job's process is known).
            var admitted = false
        }

        let server: ChannelServer
        var listeners: [Int: Listener] = [:]
        var connections: [Int: Connection] = [:]
        var nextConnection = 0

        init(server: ChannelServer) {
            self.server = server
        }

        mutating func run() {
            while true {
                let inbox = server.drain()
                for listener in inbox.opened { listeners[listener.id] = listener }
                for (id, job) in inbox.admitted where listeners[id] != nil {
                    listeners[id]?.job = job
                    for (connectionID, connection) in connections where connection.listener == id && !connection.admitted { check(connectionID) }
                }
                for id in inbox.closed { closeListener(id) }
                for (id, bytes) in inbox.replies where connections[id] != nil {
                    connections[id]?.output += bytes
                    connections[id]?.pending -= 1
                }
                if inbox.stopping {
                    for id in Array(listeners.keys) { closeListener(id) }
                    server.closeWakePipe()
                    return
                }
                for id in Array(connections.keys) { flush(id) }
                var watched = [pollfd(fd: server.wakeRead, events: Int16(POLLIN), revents: 0)]
                var owners: [(isListener: Bool, id: Int)] = [(false, -1)]
                for (id, listener) in listeners {
                    watched.append(pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0))
                    owners.append((true, id))
                }
                // An ended connection waiting for its answers is not watched: it would report POLLHUP
                // again and again.
                for (id, connection) in connections where connection.admitted && !(connection.ended && connection.output.isEmpty) {
                    var events = connection.ended ? 0 : Int16(POLLIN)
                    if !connection.output.isEmpty { events |= Int16(POLLOUT) }
                    watched.append(pollfd(fd: connection.descriptor, events: events, revents: 0))
                    owners.append((false, id))
                }
                let ready = poll(&watched, nfds_t(watched.count), -1)
                if ready < 0 { continue }
                for (index, entry) in watched.enumerated() where index > 0 && entry.revents != 0 {
                    let owner = owners[index]
                    if owner.isListener { accept(owner.id) } else { service(owner.id, events: entry.revents) }
                }
            }
        }

        mutating func closeListener(_ id: Int) {
            guard let listener = listeners.removeValue(forKey: id) else { return }
            Glibc.close(listener.descriptor)
            unlink(listener.path)
            for (connectionID, connection) in connections where connection.listener == id { drop(connectionID) }
            listener.continuation.finish()
        }

        mutating func drop(_ id: Int) {
            guard let connection = connections.removeValue(forKey: id) else { return }
            Glibc.close(connection.descriptor)
        }

        mutating func accept(_ id: Int) {
            guard let listener = listeners[id] else { return }
            while true {
                let descriptor = c_sluice_accept_nonblocking(listener.descriptor)
                guard descriptor >= 0 else { return }
                guard connections.values.filter({ $0.listener == id }).count < ChannelServer.maximumConnections else {
                    Glibc.close(descriptor)
                    continue
                }
                nextConnection += 1
                connections[nextConnection] = Connection(descriptor: descriptor, listener: id)
                check(nextConnection)
            }
        }

        /// Admits a connection whose peer is a process of its channel's job, drops one that is not;
        /// waits (not reading it) while the job's pid is not known yet.
        mutating func check(_ id: Int) {
            guard let connection = connections[id], let listener = listeners[connection.listener], let job = listener.job else { return }
            let peer = c_sluice_peer_pid(connection.descriptor)
            if peer > 0, ProcessAncestry.descends(peer, from: job) {
                connections[id]?.admitted = true
            } else {
                drop(id)
            }
        }

        mutating func service(_ id: Int, events: Int16) {
            if events & Int16(POLLOUT) != 0 { flush(id) }
            guard connections[id] != nil else { return }
            if events & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 { receive(id) }
        }

        mutating func receive(_ id: Int) {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while let connection = connections[id], !connection.ended {
                let count = Glibc.read(connection.descriptor, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { break }
                if count <= 0 {
                    connections[id]?.ended = true
                    break
                }
                if connection.refused {
                    connections[id]?.discarded += count
                    if connection.discarded + count > ChannelServer.maximumDiscarded { connections[id]?.ended = true }
                    break  // back to poll: a peer that goes on sending does not hold up other connections
                }
                connections[id]?.input += buffer[0..<count]
                guard (connections[id]?.input.count ?? 0) <= ChannelServer.maximumRequest else {
                    answer(id, .invalid("the request is larger than \(ChannelServer.maximumRequest) bytes"))
                    connections[id]?.refused = true
                    connections[id]?.input = []
                    continue
                }
                lines(id)
            }
            if let connection = connections[id], connection.ended, connection.pending == 0, connection.output.isEmpty { drop(id) }
        }

        /// Hands each complete line of connection `id` to its job (or answers it at once).
        mutating func lines(_ id: Int) {
            while let connection = connections[id], let newline = connection.input.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(connection.input[..<newline])
                connections[id]?.input.removeSubrange(...newline)
                guard let listener = listeners[connection.listener] else { return }
                guard connection.pending < ChannelServer.maximumPending else {
                    answer(id, .invalid("too many requests at once"))
                    continue
                }
                guard let message = try? JSONValue(parsing: String(decoding: line, as: UTF8.self)), message.objectValue != nil else {
                    answer(id, .invalid("a request is one JSON object per line"))
                    continue
                }
                guard let token = message["token"]?.stringValue, Self.equalInConstantTime(Array(token.utf8), listener.token) else {
                    answer(id, .failure(kind: "permission", message: "this channel's token is missing or wrong"))
                    continue
                }
                switch ChannelRequest.parse(message) {
                case .failure(let response):
                    answer(id, response)
                case .success(let request):
                    connections[id]?.pending += 1
                    let server = server
                    listener.continuation.yield(JobChannel.Call(request: request, reply: { server.reply(id, $0) }))
                }
            }
        }

        mutating func answer(_ id: Int, _ response: ChannelResponse) {
            connections[id]?.output += response.line
        }

        mutating func flush(_ id: Int) {
            while let connection = connections[id], !connection.output.isEmpty {
                let sent = connection.output.withUnsafeBytes { Glibc.send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0, errno == EINTR { continue }
                if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK { return }
                guard sent > 0 else {
                    drop(id)
                    return
                }
                connections[id]?.output.removeFirst(sent)
            }
            if let connection = connections[id], connection.ended, connection.pending == 0 { drop(id) }
        }

        static func equalInConstantTime(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
            guard lhs.count == rhs.count else { return false }
            var difference: UInt8 = 0
            for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
            return difference == 0
        }
    }
}

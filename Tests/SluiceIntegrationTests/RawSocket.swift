import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One plain TCP connection to a loopback port, for tests that hold connections open, drip bytes
/// or watch for the server closing them — what an HTTP client library would hide. Its blocking
/// calls run on a dispatch queue of their own (``offThread(_:)``), never on the test's executor.
///
/// Used from one task at a time, which is what makes the unchecked `Sendable` sound.
final class RawSocket: @unchecked Sendable {
    let descriptor: Int32

    /// Connects to `port`; with `waiting: false` the connection is only started (non-blocking), as a
    /// flood of clients would, and the socket is not usable for ``send(_:)`` until it completes.
    init(port: Int, waiting: Bool = true) throws {
        descriptor = try Self.connected(port: port, waiting: waiting)
    }

    /// The connected descriptor — made before the object exists: a class whose stored properties
    /// are all set runs its deinit when its init throws, so closing there as well would close the
    /// descriptor twice (and, in a test process full of threads, someone else's descriptor).
    private static func connected(port: Int, waiting: Bool) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawSocketError("socket: errno \(errno)") }
        if !waiting { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 || (!waiting && errno == EINPROGRESS) else {
            let error = errno
            close(descriptor)
            throw RawSocketError("connect: errno \(error)")
        }
        return descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Sends `text`; `false` when the connection is gone.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { buffer in Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads what arrives until the server closes the connection or `timeout` passes.
    func read(until timeout: Duration) -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Waits until the server has closed every one of `sockets` or `timeout` passes, reading and
    /// dropping whatever they receive; returns how many are closed.
    static func waitUntilClosed(_ sockets: [RawSocket], timeout: Duration) -> Int {
        let deadline = ContinuousClock.now + timeout
        var open = Set(sockets.indices)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty, ContinuousClock.now < deadline {
            let watched = Array(open)
            var pollers = watched.map { pollfd(fd: sockets[$0].descriptor, events: Int16(POLLIN), revents: 0) }
            guard poll(&pollers, nfds_t(pollers.count), 100) > 0 else { continue }
            for (position, poller) in pollers.enumerated() where poller.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(poller.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { open.remove(watched[position]) }
            }
        }
        return sockets.count - open.count
    }

    /// Reads until the answer to one request is in (its head and a `Content-Length` body), the
    /// connection closes, or `timeout` passes.
    func readAnswer(until timeout: Duration) -> String {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while ContinuousClock.now < deadline {
            let chunk = read(until: .milliseconds(50))
            text += chunk.text
            if chunk.closed || Self.isComplete(text) { return text }
        }
        return text
    }

    private static func isComplete(_ text: String) -> Bool {
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return true }
        return text[end.upperBound...].utf8.count >= length
    }
}

struct RawSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking work on a dispatch queue and waits for it without blocking the caller's executor.
func offThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

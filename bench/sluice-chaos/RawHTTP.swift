import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain HTTP/1.1 client over one blocking TCP connection to a loopback port: it sends exactly
/// the bytes it is given (so it can send what no HTTP library would — broken request lines,
/// wrong lengths, a body dripped byte by byte) and reads one answer. Used from one thread.
final class RawHTTP {
    let descriptor: Int32
    private var pending: [UInt8] = []

    /// An answer: its status (0 when the server closed the connection without one), its body.
    struct Answer {
        var status: Int
        var body: String
        var closed: Bool
    }

    init(port: Int, timeout: Double = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ChaosFailure("socket: errno \(errno)") }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let socketDescriptor = descriptor
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = errno
            close(descriptor)
            throw ChaosFailure("connect: errno \(error)")
        }
    }

    deinit {
        close(descriptor)
    }

    /// A request's bytes: `method target HTTP/1.1`, a Host, the given headers, a Content-Length
    /// when there is a body.
    static func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    /// Sends `bytes`; false when the connection is gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress?.advanced(by: offset), bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Sends a request and reads its answer.
    func exchange(_ bytes: [UInt8]) -> Answer {
        guard send(bytes) else { return Answer(status: 0, body: "", closed: true) }
        return readAnswer()
    }

    /// Reads one answer: the status line, the headers, then a body of Content-Length bytes or
    /// chunks, or up to the close.
    func readAnswer() -> Answer {
        guard let headEnd = readUntil([13, 10, 13, 10]) else { return Answer(status: 0, body: "", closed: true) }
        let head = String(decoding: pending[0..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd + 4)
        let lines = head.split(separator: "\r\n")
        let status = lines.first.flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Int($0) } } ?? 0
        var length: Int?
        var chunked = false
        var closing = false
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.count == 2 else { continue }
            if parts[0] == "content-length" { length = Int(parts[1]) }
            if parts[0] == "transfer-encoding", parts[1].contains("chunked") { chunked = true }
            if parts[0] == "connection", parts[1] == "close" { closing = true }
        }
        // An answer cut short (the server died between its head and the end of its body) is no
        // answer: the sender retries, as it would after no answer at all.
        let cut = Answer(status: 0, body: "", closed: true)
        var body: [UInt8] = []
        if chunked {
            while true {
                guard let lineEnd = readUntil([13, 10]) else { return cut }
                let size = Int(String(decoding: pending[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
                pending.removeFirst(lineEnd + 2)
                if size == 0 { break }
                guard fill(size + 2) else { return cut }
                body += pending[0..<size]
                pending.removeFirst(size + 2)
            }
            _ = readUntil([13, 10]).map { pending.removeFirst($0 + 2) }
        } else if let length {
            guard fill(length) else { return cut }
            body = Array(pending[0..<length])
            pending.removeFirst(length)
        }
        return Answer(status: status, body: String(decoding: body, as: UTF8.self), closed: closing)
    }

    /// Whether the server has closed the connection (waits up to `timeout`).
    func isClosed(within timeout: Double) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK)) <= 0
    }

    private func readMore() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return false }
        pending += buffer[0..<count]
        return true
    }

    private func fill(_ count: Int) -> Bool {
        while pending.count < count {
            guard readMore() else { return false }
        }
        return true
    }

    private func readUntil(_ marker: [UInt8]) -> Int? {
        var searchFrom = 0
        while true {
            if pending.count >= marker.count {
                for index in searchFrom...(pending.count - marker.count) where pending[index..<(index + marker.count)].elementsEqual(marker) {
                    return index
                }
                searchFrom = pending.count - marker.count + 1
            }
            guard readMore() else { return nil }
        }
    }
}

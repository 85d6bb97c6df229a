import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// A live part of a page as a server-sent event stream: every `interval` the fragment is read
/// and rendered again and sent as a `fragment` event when it changed; when the reader says the
/// part is final (a finished job) an `end` event closes it. A stream lasts at most `lifetime`
/// (the browser's EventSource reconnects after `retry`), ends when the client goes away (a write
/// fails), when the console shuts down gracefully (at its next read, so SIGTERM is not held up by
/// open tabs) or when the task is canceled; a failed read is skipped and tried again.
struct LiveStream: Sendable {
    let interval: Duration
    let lifetime: Duration

    /// A fragment and whether nothing will change any more.
    typealias Read = @Sendable () async throws -> (fragment: String, final: Bool)

    func response(_ read: @escaping Read) -> Response {
        let interval = interval
        let lifetime = lifetime
        let body = ResponseBody { writer in
            let clock = ContinuousClock()
            let stop = clock.now + lifetime
            var last: String?
            let stopping = StopFlag()
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            try await withGracefulShutdownHandler {
                while clock.now < stop, !Task.isCancelled, !stopping.isSet {
                    if let (fragment, final) = try? await read() {
                        if fragment != last {
                            try await writer.write(ByteBuffer(string: Self.event("fragment", fragment)))
                            last = fragment
                        }
                        if final {
                            try await writer.write(ByteBuffer(string: Self.event("end", "")))
                            break
                        }
                    }
                    try await Task.sleep(for: interval)
                }
            } onGracefulShutdown: {
                stopping.set()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }

    /// One event: its name, then its data a line per `data:` field (the browser joins them with
    /// newlines). A browser ends a stream's line at CR, LF or CRLF, so the data is split at each
    /// of them (a script's CRLF output, a progress bar's bare CR): no part of it can end a `data:`
    /// line early and be read as a field of its own (`event: end`, say).
    static func event(_ name: String, _ data: String) -> String {
        var text = "event: \(name)\n"
        var scalars = data.unicodeScalars[...]
        while true {
            let end = scalars.firstIndex { $0 == "\n" || $0 == "\r" } ?? scalars.endIndex
            text += "data: " + String(String.UnicodeScalarView(scalars[..<end])) + "\n"
            guard end < scalars.endIndex else { break }
            let next = scalars.index(after: end)
            scalars =
                scalars[end] == "\r" && next < scalars.endIndex && scalars[next] == "\n" ? scalars[scalars.index(after: next)...] : scalars[next...]
        }
        return text + "\n"
    }
}

/// Set once, read from any thread: a live stream's "the console is shutting down".
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

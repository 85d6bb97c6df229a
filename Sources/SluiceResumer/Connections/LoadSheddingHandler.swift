import HTTPTypes
import NIOCore
import NIOHTTPTypes
import SluiceHTTP

/// Sheds load once the resumer holds its maximum of connections (``ConnectionCount``): a
/// connection over the limit is answered once and closed — `GET /healthz` is served as usual (so
/// probes learn whether the process and Redis are well), anything else gets `503 Service
/// Unavailable` with `Retry-After` and is never handed to the router — and it is closed if it
/// sends no request head within `grace`. A full server therefore answers at once instead of
/// leaving new clients waiting in the listen backlog, and a connection over the limit holds its
/// descriptor for at most `grace` plus one answer.
///
/// One instance per connection, on that connection's event loop.
final class LoadSheddingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let count: ConnectionCount
    private let grace: TimeAmount
    private let onShed: @Sendable () -> Void
    private var counted = false
    private var overLimit = false
    private var answer = Answer.none

    /// What a connection over the limit is doing with the request it reads.
    private enum Answer {
        /// No request yet.
        case none
        /// `GET /healthz`: handed to the router.
        case serving
        /// Anything else: read to its end, then answered 503.
        case refusing
        /// A request pipelined behind the one answered: dropped (the connection closes after that answer).
        case dropping
    }
    private var graceTimer: Scheduled<Void>?

    init(count: ConnectionCount, grace: TimeAmount, onShed: @escaping @Sendable () -> Void) {
        self.count = count
        self.grace = grace
        self.onShed = onShed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard overLimit else {
            context.fireChannelRead(data)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let request):
            guard answer == .none else {
                answer = .dropping
                return
            }
            graceTimer?.cancel()
            if request.method == .get, (request.path ?? "").split(separator: "?").first == "/healthz" {
                answer = .serving
                context.fireChannelRead(data)
            } else {
                answer = .refusing
                onShed()
            }
        case .body:
            if answer == .serving { context.fireChannelRead(data) }
        case .end:
            if answer == .serving { context.fireChannelRead(data) }
            guard answer == .refusing else { return }
            var head = HTTPResponse(status: .serviceUnavailable)
            head.headerFields[.contentType] = "text/plain; charset=utf-8"
            head.headerFields[.retryAfter] = "1"
            head.headerFields[.connection] = "close"
            SecurityHeaders.resumer.apply(to: &head.headerFields)
            let body = context.channel.allocator.buffer(string: "The resumer is at its connection limit; try again shortly.\n")
            head.headerFields[.contentLength] = String(body.readableBytes)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard overLimit else {
            context.write(data, promise: promise)
            return
        }
        // The one request served over the limit (/healthz) is the connection's last.
        switch unwrapOutboundIn(data) {
        case .head(var head):
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        }
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        overLimit = !count.admit()
        guard overLimit else { return }
        graceTimer = context.eventLoop.assumeIsolated().scheduleTask(in: grace) { [onShed] in
            onShed()
            context.close(promise: nil)
        }
    }

    private func release() {
        graceTimer?.cancel()
        graceTimer = nil
        if counted {
            counted = false
            count.release()
        }
    }
}

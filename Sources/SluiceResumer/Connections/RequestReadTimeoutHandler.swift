import NIOCore
import NIOHTTPTypes

/// Bounds how long a request may take to arrive. Its head must be complete within `headTimeout`
/// of the connection opening or of the previous answer ending: a client dripping its headers a
/// line at a time is dropped then, however often it sends (an idle timer alone restarts at every
/// byte). Its body must be in within `bodyTimeout` of its head: a client dripping its body
/// (slowloris) is dropped. No timer runs while a handler answers a request it has read whole.
///
/// One instance per connection, on that connection's event loop.
final class RequestReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var timer: Scheduled<Void>?

    init(headTimeout: TimeAmount, bodyTimeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(headTimeout, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(headTimeout, context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(bodyTimeout, context: context)
        case .body: break
        case .end: disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The answer is out: the next request's head has `headTimeout` to arrive.
        if case .end = unwrapOutboundIn(data) { arm(headTimeout, context: context) }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [onTimeout] in
            onTimeout()
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

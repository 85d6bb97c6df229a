import Dispatch

/// An async front for one ``RedisConnection``: every call runs on the client's own serial dispatch
/// queue, so hiredis's blocking I/O never runs on Swift's cooperative pool or an event loop.
///
/// Calls are serialized in order. The connection is made on first use and remade after it breaks.
public final class RedisClient: Sendable {
    /// Where this client connects.
    public let configuration: RedisConfiguration
    private let queue: DispatchQueue
    private let holder: ConnectionHolder

    /// A client for `configuration`; `label` names its thread in debuggers.
    public init(configuration: RedisConfiguration, label: String = "sluice.redis") {
        self.configuration = configuration
        self.queue = DispatchQueue(label: label)
        self.holder = ConnectionHolder()
    }

    /// Runs `body` with the connection on the client's queue and returns its value.
    public func run<Value: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            schedule { connected in continuation.resume(with: Result { try body(connected.get()) }) }
        }
    }

    /// Runs `body` on the client's queue without waiting for it: with the connection, or with the
    /// error that kept the client from connecting. For callers that resume waiters themselves.
    public func schedule(_ body: @escaping @Sendable (Result<RedisConnection, RedisError>) -> Void) {
        queue.async { [holder, configuration] in
            body(Result { () throws(RedisError) in try holder.connection(for: configuration) })
        }
    }

    /// Sends one command.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) async throws -> RedisReply {
        try await run { try $0.send(arguments) }
    }

    /// Runs a Lua script (see ``RedisConnection/evaluate(_:keys:arguments:)``).
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) async throws -> RedisReply {
        try await run { try $0.evaluate(script, keys: keys, arguments: arguments) }
    }
}

/// Holds the connection of one ``RedisClient``. Touched only on that client's serial queue, which is
/// what makes the unchecked `Sendable` sound.
private final class ConnectionHolder: @unchecked Sendable {
    private var current: RedisConnection?

    func connection(for configuration: RedisConfiguration) throws(RedisError) -> RedisConnection {
        if let current { return current }
        let made = try RedisConnection(configuration: configuration)
        current = made
        return made
    }
}

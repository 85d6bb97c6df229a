import Synchronization

/// A few ``RedisClient``s used in turn, for servers answering many requests at once: each call
/// runs on one client's own queue, never on the caller's event loop.
public final class RedisClientPool: Sendable {
    private let clients: [RedisClient]
    private let next = Atomic<Int>(0)

    public init(configuration: RedisConfiguration, size: Int, label: String = "sluice.redis.pool") {
        clients = (0..<max(1, size)).map { RedisClient(configuration: configuration, label: "\(label).\($0)") }
    }

    /// Runs `body` on the next client in turn.
    public func run<Value: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> Value) async throws -> Value {
        let index = next.add(1, ordering: .relaxed).oldValue
        return try await clients[abs(index % clients.count)].run(body)
    }
}

public import SluiceRedis

/// One of the store's Lua scripts with the shared keys (``KeySpace/SharedKey``) its helpers touch.
///
/// A script is called with its own keys (the job hash, the gate hash… as its header lists them),
/// then the shared keys it uses, in ``sharedKeys`` order; its prelude names them `K.<name>`. So
/// every key a script touches that is not derived from data (a popped id, a job's queue) reaches it
/// through `KEYS`, as Redis Cluster and the Redis docs ask, and a caller never counts them by hand.
public struct StoreScript: Sendable {
    /// The script Redis runs: prelude (with the `K` table), the helpers it uses, its body.
    public let redis: RedisScript
    /// The shared keys appended to its own keys, in order.
    public let sharedKeys: [KeySpace.SharedKey]
    /// Its helpers and body: the source without the generated prelude.
    let code: String

    public var name: String { redis.name }
    public var source: String { redis.source }
    public var sha1: String { redis.sha1 }

    /// `own` followed by the shared keys under `space`.
    public func keys(_ own: [RedisArgument], in space: KeySpace) -> [RedisArgument] {
        own + sharedKeys.map { .string($0.key(in: space)) }
    }

    /// An `EVALSHA` of this script, for pipelines (the caller makes sure it is loaded).
    public func command(keys own: [RedisArgument], arguments: [RedisArgument], in space: KeySpace) -> [RedisArgument] {
        let keys = keys(own, in: space)
        return ["EVALSHA", .string(sha1), .int(keys.count)] + keys + arguments
    }
}

extension RedisConnection {
    /// Runs a store script with its own `keys` (the shared keys of `space` appended).
    public func evaluate(
        _ script: StoreScript, in space: KeySpace, keys: [RedisArgument], arguments: [RedisArgument]
    ) throws(RedisError) -> RedisReply {
        try evaluate(script.redis, keys: script.keys(keys, in: space), arguments: arguments)
    }
}

import SluiceCore
public import SluiceRedis

/// HTTP routes in Redis: one hash, `routes`, field `METHOD path` → the route as JSON. Written by
/// the CLI with single commands (each atomic), read whole by the resumer.
public struct RouteStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace) {
        self.keys = keys
    }

    /// Creates or replaces the route; true when it is new.
    @discardableResult
    public func set(_ route: TriggerRoute, on connection: RedisConnection) throws(RedisError) -> Bool {
        try connection.send(["HSET", .string(keys.routes), .string(route.name), .string(route.json.jsonText)]).integer == 1
    }

    /// Deletes the route `METHOD path`; false when there is none.
    public func delete(method: String, path: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        try connection.send(["HDEL", .string(keys.routes), .string(method + " " + path)]).integer == 1
    }

    /// Every route.
    public func list(on connection: RedisConnection) throws(RedisError) -> [TriggerRoute] {
        let fields = try connection.send(["HGETALL", .string(keys.routes)]).fieldDictionary ?? [:]
        return fields.sorted { $0.key < $1.key }.compactMap { (try? JSONValue(parsing: $0.value)).flatMap(TriggerRoute.init(json:)) }
    }

    /// Takes one request from `subject`'s bucket: 0 when it may go on, else the milliseconds to wait.
    public func takeRate(_ subject: String, limit: RateLimit, on connection: RedisConnection) throws(RedisError) -> Int {
        let wait = try connection.evaluate(
            StoreScripts.takeRate, in: keys, keys: [.string(keys.rate(subject))],
            arguments: [.string(String(limit.perSecond)), .int(limit.burst)]
        ).integer
        return Int(wait ?? 0)
    }
}

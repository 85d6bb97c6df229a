import Crypto
import Foundation
import SluiceCore
public import SluiceRedis
public import SluiceStore

/// Operator tokens for a console served with `--auth token`: `P:console:operators`, a hash from
/// the SHA-256 (hex) of each token to `{name, created_at}` JSON — never the token itself. A token
/// is shown once, when made. Each write is one Redis command (`HSET`, `HDEL`).
public struct OperatorTokens: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace) {
        self.keys = keys
    }

    public var key: String { keys.namespace + "console:operators" }

    /// A new token for `name` (`slc_` and 64 hex digits: 256 random bits); only its hash is kept.
    public func create(name: String, on connection: RedisConnection) throws(RedisError) -> String {
        var generator = SystemRandomNumberGenerator()
        let token = "slc_" + Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let now = try connection.serverMilliseconds()
        let record: JSONValue = ["name": .string(name), "created_at": .number(Double(now))]
        _ = try connection.send(["HSET", .string(key), .string(Self.hash(token)), .string(record.jsonText)])
        return token
    }

    /// Every operator name with a token, and when each token was made.
    public func list(on connection: RedisConnection) throws(RedisError) -> [(hash: String, name: String, createdAt: Int64)] {
        let elements = try connection.send(["HGETALL", .string(key)]).array ?? []
        var entries: [(hash: String, name: String, createdAt: Int64)] = []
        var index = 0
        while index + 1 < elements.count {
            if let hash = elements[index].string, let json = elements[index + 1].string.flatMap({ try? JSONValue(parsing: $0) }),
                let name = json["name"]?.stringValue
            {
                entries.append((hash, name, Int64(json["created_at"]?.numberValue ?? 0)))
            }
            index += 2
        }
        return entries.sorted { ($0.name, $0.createdAt) < ($1.name, $1.createdAt) }
    }

    /// Deletes every token of `name`; how many there were.
    public func revoke(name: String, on connection: RedisConnection) throws(RedisError) -> Int {
        let hashes = try list(on: connection).filter { $0.name == name }.map(\.hash)
        guard !hashes.isEmpty else { return 0 }
        return Int(try connection.send(["HDEL", .string(key)] + hashes.map { .string($0) }).integer ?? 0)
    }

    /// The operator name of the token whose hash is `hash`, or `nil` (unknown or revoked).
    public func name(ofHash hash: String, on connection: RedisConnection) throws(RedisError) -> String? {
        guard let text = try connection.send(["HGET", .string(key), .string(hash)]).string else { return nil }
        return (try? JSONValue(parsing: text))?["name"]?.stringValue
    }

    /// SHA-256 of a token, hex.
    public static func hash(_ token: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(token.utf8))))
    }
}

import Foundation
import SluiceCore
public import SluiceRedis
public import SluiceStore

/// The audit list of console actions: `P:console:audit`, a list of JSON entries
/// `{who, action, target, outcome, at}` (`at`: Redis's clock, ms), newest first, capped at
/// ``kept`` entries. An entry is pushed and the list trimmed in one `MULTI`/`EXEC`.
public struct AuditLog: Sendable {
    public let keys: KeySpace
    public static let kept = 1000

    public init(keys: KeySpace) {
        self.keys = keys
    }

    /// The list's key.
    public var key: String { keys.namespace + "console:audit" }

    /// One console action.
    public struct Entry: Sendable, Equatable {
        public var who: String
        public var action: String
        public var target: String
        public var outcome: String
        public var at: Int64
    }

    /// Records an action, stamped with Redis's clock.
    public func record(who: String, action: String, target: String, outcome: String, on connection: RedisConnection) throws(RedisError) {
        let now = try connection.serverMilliseconds()
        let entry: JSONValue = [
            "who": .string(who), "action": .string(action), "target": .string(target), "outcome": .string(outcome), "at": .number(Double(now)),
        ]
        let replies = try connection.pipeline([
            ["MULTI"], ["LPUSH", .string(key), .string(entry.jsonText)], ["LTRIM", .string(key), "0", .string(String(Self.kept - 1))], ["EXEC"],
        ])
        if let failed = replies.last, failed.isNull { throw RedisError.unexpectedReply("the audit entry was not written") }
    }

    /// The newest `limit` entries, newest first.
    public func entries(limit: Int = 200, on connection: RedisConnection) throws(RedisError) -> [Entry] {
        (try connection.send(["LRANGE", .string(key), "0", .string(String(limit - 1))]).array ?? []).compactMap { reply in
            guard let text = reply.string, let json = try? JSONValue(parsing: text), let who = json["who"]?.stringValue,
                let action = json["action"]?.stringValue, let target = json["target"]?.stringValue
            else { return nil }
            return Entry(
                who: who, action: action, target: target, outcome: json["outcome"]?.stringValue ?? "", at: Int64(json["at"]?.numberValue ?? 0))
        }
    }
}

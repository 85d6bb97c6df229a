public import SluiceCore
public import SluiceRedis

/// Scripts' state between runs (Windmill's `get_state`/`set_state`): one JSON value per script
/// path, or per flow step (`<flow path>/<module id>`), at `P:state:<path>`, written whole with
/// one `SET` (the last writer wins, as in Windmill).
public struct StateStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// The most bytes a state may take.
    public static let maximumSize = 1 << 20

    /// The state kept at `path`; `null` when none was set.
    public func state(at path: String, on connection: RedisConnection) throws(RedisError) -> JSONValue {
        guard let text = try connection.send(["GET", .string(keys.state(path))]).string else { return .null }
        return (try? JSONValue(parsing: text)) ?? .null
    }

    /// Replaces the state at `path` (`null` removes it).
    public func setState(_ value: JSONValue, at path: String, on connection: RedisConnection) throws {
        if value.isNull {
            try connection.send(["DEL", .string(keys.state(path))])
            return
        }
        let text = value.jsonText
        guard text.utf8.count <= Self.maximumSize else { throw StoreRefusal("the state is larger than \(Self.maximumSize) bytes") }
        try connection.send(["SET", .string(keys.state(path)), .string(text)])
    }
}

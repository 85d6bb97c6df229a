/// One reply from Redis, copied out of hiredis into a Swift value.
public enum RedisReply: Sendable, Hashable {
    /// A simple string such as `OK` or `QUEUED`.
    case status(String)
    /// An error reply, e.g. `WRONGTYPE ...` or a Lua script's `error_reply`.
    case error(String)
    /// An integer.
    case integer(Int64)
    /// A bulk string, binary safe.
    case bulk([UInt8])
    /// A multi-bulk reply.
    case array([RedisReply])
    /// A missing value (nil bulk or nil multi-bulk).
    case null

    /// The reply as text: bulk strings decoded as UTF-8, status text, integers in decimal; `nil` otherwise.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        case .integer(let number): String(number)
        case .error, .array, .null: nil
        }
    }

    /// The reply as an integer: integer replies, or bulk strings holding a decimal integer.
    public var integer: Int64? {
        switch self {
        case .integer(let number): number
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply, `nil` otherwise.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is the null reply.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Throws the error reply as a ``RedisError/server(_:)``; returns every other reply unchanged.
    public func throwingServerError() throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw RedisError.server(message) }
        return self
    }
}

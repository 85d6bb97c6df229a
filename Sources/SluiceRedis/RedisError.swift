/// What went wrong talking to Redis.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection could not be made, or broke; the message is hiredis's.
    case connection(String)
    /// Redis answered with an error reply; the message is Redis's own.
    case server(String)
    /// A URL or setting that cannot describe a Redis server.
    case configuration(String)
    /// A reply of a shape the caller did not expect.
    case unexpectedReply(String)

    public var description: String {
        switch self {
        case .connection(let message): "Redis connection failed: \(message)"
        case .server(let message): "Redis error: \(message)"
        case .configuration(let message): "Redis configuration: \(message)"
        case .unexpectedReply(let message): "unexpected reply from Redis: \(message)"
        }
    }

    /// Whether the error means the connection is gone (so a retry on a new connection may succeed).
    public var isConnectionError: Bool {
        if case .connection = self { return true }
        return false
    }
}

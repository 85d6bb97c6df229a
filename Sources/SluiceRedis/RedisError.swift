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
    /// The write happened on the master, but fewer replicas than required acknowledged it in time
    /// (``RedisConnection/awaitReplicas()``): a failover now could still undo it. Retrying the
    /// same request is safe — every acknowledged operation is idempotent.
    case notReplicated(acknowledged: Int, required: Int)

    public var description: String {
        switch self {
        case .connection(let message): "Redis connection failed: \(message)"
        case .server(let message): "Redis error: \(message)"
        case .configuration(let message): "Redis configuration: \(message)"
        case .unexpectedReply(let message): "unexpected reply from Redis: \(message)"
        case .notReplicated(let acknowledged, let required):
            "not yet durable: \(acknowledged) of \(required) required replicas acknowledged the write in time; retry"
        }
    }

    /// Whether the error is ``notReplicated(acknowledged:required:)``: the write is on the master,
    /// and asking again later may find it on the replicas.
    public var isNotReplicated: Bool {
        if case .notReplicated = self { return true }
        return false
    }

    /// Whether Redis refused only for now, the request untouched: still loading its dataset after
    /// a restart (`LOADING`), busy with a long script (`BUSY`), a cluster slot moving or down
    /// (`TRYAGAIN`, `CLUSTERDOWN`), a replica without its master (`MASTERDOWN`). Asking again
    /// later is safe and expected to succeed. The code may follow a script's name (`name: LOADING …`).
    public var isTemporaryRefusal: Bool {
        guard case .server(let message) = self else { return false }
        let code = message.split(separator: " ").first { $0.allSatisfy(\.isUppercase) } ?? ""
        return ["LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN"].contains(String(code))
    }

    /// Whether the error means the connection is gone (so a retry on a new connection may succeed).
    public var isConnectionError: Bool {
        if case .connection = self { return true }
        return false
    }
}

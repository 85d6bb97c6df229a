import Crypto

/// A Lua script run with `EVALSHA`, loaded on demand: its SHA-1 is computed once, and a `NOSCRIPT`
/// answer (after a Redis restart or `SCRIPT FLUSH`) loads the source and retries once.
public struct RedisScript: Sendable, Hashable {
    /// A short name for logs and errors, e.g. `enqueue_job`.
    public let name: String
    /// The Lua source.
    public let source: String
    /// The hex SHA-1 of the source, as Redis names it.
    public let sha1: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

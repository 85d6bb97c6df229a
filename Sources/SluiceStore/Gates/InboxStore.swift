import Crypto
import SluiceCore
public import SluiceRedis

/// Approvers' inboxes: one secret per approver name (`P:inbox:<name>`, a hash with `secret` —
/// 256 random bits, hex — `created_at`, `created_by`), from which the approver's inbox link is
/// derived: `token = HMAC-SHA256(secret, "sluice-inbox-v1:user:<name>")`, so a name edited in a
/// link no longer matches its token. Revoking deletes the secret (every link made from it dies);
/// the next link makes a new one. Each write is one Redis command.
public struct InboxStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// `P:inbox:<name>`.
    public func key(_ name: String) -> String { keys.namespace + "inbox:" + name }

    /// The secret of `name`'s inbox, made now (one `HSETNX`: two callers at once get the same one)
    /// if there is none.
    public func secret(for name: String, createdBy: String?, on connection: RedisConnection) throws(RedisError) -> String {
        let fresh = GateSecret.generate()
        let now = try connection.serverMilliseconds()
        let replies = try connection.pipeline([
            ["HSETNX", .string(key(name)), "secret", .string(fresh)],
            ["HSETNX", .string(key(name)), "created_at", .string(String(now))],
            ["HSETNX", .string(key(name)), "created_by", .string(createdBy ?? "")],
            ["HGET", .string(key(name)), "secret"],
        ])
        guard let secret = replies.last?.string else { throw RedisError.unexpectedReply("the inbox secret was not kept") }
        return secret
    }

    /// Deletes `name`'s inbox secret: every link made from it stops working. Whether there was one.
    public func revoke(_ name: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        try connection.send(["DEL", .string(key(name))]).integer == 1
    }

    /// Whether `token` is the inbox token of `name`: checked against the stored secret, or a fresh
    /// random stand-in when there is none, so both cost the same; constant time.
    public func verify(token: String, name: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        let stored = try connection.send(["HGET", .string(key(name)), "secret"]).string
        let matches = Self.verify(token: token, name: name, secret: stored ?? GateSecret.generate())
        return stored != nil && matches
    }

    /// The token of `name`'s inbox link, hex.
    public static func token(secret: String, name: String) -> String {
        Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(signed(name).utf8), using: SymmetricKey(data: Array(secret.utf8)))))
    }

    static func verify(token: String, name: String, secret: String) -> Bool {
        guard let bytes = Hex.decode(token), bytes.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Array(signed(name).utf8), using: SymmetricKey(data: Array(secret.utf8)))
    }

    private static func signed(_ name: String) -> String { "sluice-inbox-v1:user:" + name }

    /// The inbox link of `name` under a prefix's link base (``PrefixLinks/base(publicURL:keys:)``).
    public static func link(base: String, name: String, secret: String) -> String {
        "\(base)/inbox/\(ResumeLinkSubject.named(name).pathSegment)/\(token(secret: secret, name: name))"
    }
}

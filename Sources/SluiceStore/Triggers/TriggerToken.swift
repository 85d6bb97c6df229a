import Crypto
public import SluiceCore

/// A token that lets an outside system start scripts and flows (webhooks, routes with
/// `--auth token`): `sltk_<id>_<secret>`, shown once when it is made. Redis keeps the id, the
/// name, the scopes and the SHA-256 of the secret — never the secret.
public struct TriggerToken: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scopes: [TokenScope]
    /// SHA-256 of the secret, hex.
    public var secretHash: String
    public var createdAt: Int64
    /// When it stops working, ms since the epoch (Redis also drops the record then).
    public var expiresAt: Int64?
    public var createdBy: String
    /// How many deliveries a second it may start, and the burst; `nil`: no limit.
    public var rate: RateLimit?

    /// The fields of a token's hash (`P:token:<id>`), as stored. The Lua prelude carries them as
    /// `TOKEN.<stored name>`.
    public enum Field: String, CaseIterable, Sendable {
        case id
        case name
        /// SHA-256 of the secret, hex.
        case hash
        /// JSON array of ``TokenScope``s.
        case scopes
        case createdAt = "created_at"
        case createdBy = "created_by"
        case expiresAt = "expires_at"
        /// The rate limit: deliveries a second, and the burst.
        case rate
        case burst
    }

    /// Reads a record from its hash fields; `nil` when it is incomplete.
    public init?(fields: [String: String]) {
        guard let id = fields[Field.id.rawValue], let name = fields[Field.name.rawValue], let hash = fields[Field.hash.rawValue],
            let scopesText = fields[Field.scopes.rawValue],
            let scopes = (try? JSONValue(parsing: scopesText))?.arrayValue?.compactMap(\.stringValue).compactMap(TokenScope.init)
        else { return nil }
        self.id = id
        self.name = name
        self.scopes = scopes
        secretHash = hash
        createdAt = fields[Field.createdAt.rawValue].flatMap { Int64($0) } ?? 0
        expiresAt = fields[Field.expiresAt.rawValue].flatMap { Int64($0) }
        createdBy = fields[Field.createdBy.rawValue] ?? ""
        if let perSecond = fields[Field.rate.rawValue].flatMap(Double.init), let burst = fields[Field.burst.rawValue].flatMap({ Int($0) }) {
            rate = RateLimit(perSecond: perSecond, burst: burst)
        }
    }

    /// Whether `secret` is this token's, compared in constant time; and whether it is still valid at `now`.
    public func admits(secret: String, now: Int64) -> Bool {
        guard let expected = Hex.decode(secretHash), expected.count == 32 else { return false }
        let given = Array(SHA256.hash(data: Array(secret.utf8)))
        var difference: UInt8 = 0
        for (left, right) in zip(expected, given) { difference |= left ^ right }
        return difference == 0 && (expiresAt.map { now < $0 } ?? true)
    }

    /// Whether one of the scopes lets it run `path` (a flow when `isFlow`).
    public func mayRun(_ path: String, isFlow: Bool) -> Bool {
        scopes.contains { $0.allowsRun(path, isFlow: isFlow) }
    }
}

/// A token's text: `sltk_<id>_<secret>` (the id is 16 hex digits, the secret 48).
public struct TokenText: Sendable, Equatable {
    public static let prefix = "sltk_"
    public let id: String
    public let secret: String

    /// A new token: random id and secret from the system's generator.
    public static func generate() -> TokenText {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> String { Hex.encode((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        return TokenText(id: random(8), secret: random(24))
    }

    private init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// Reads a token as a sender presents it; `nil` when it is not one (any shape, any length).
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let parts = text.dropFirst(Self.prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 16, parts[1].utf8.count == 48,
            Hex.decode(String(parts[0])) != nil, Hex.decode(String(parts[1])) != nil
        else { return nil }
        id = String(parts[0])
        secret = String(parts[1])
    }

    public var text: String { Self.prefix + id + "_" + secret }
    /// What Redis keeps of the secret.
    public var secretHash: String { Hex.encode(SHA256.hash(data: Array(secret.utf8))) }
}

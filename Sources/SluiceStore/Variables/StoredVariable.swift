public import SluiceSecrets

/// A variable as Redis keeps it (`P:variable:<path>`): a plain value, or a secret's sealed form.
public struct StoredVariable: Sendable, Equatable {
    public var path: String
    /// The value as stored: the text of a plain variable, the sealed text (``SecretSeal``) of a secret.
    public var storedValue: String
    public var isSecret: Bool
    public var description: String
    public var access: AccessRule
    /// For a secret, the id of the key it is sealed to.
    public var keyID: String?
    public var version: Int
    /// ms, Redis's clock.
    public var createdAt: Int64
    public var updatedAt: Int64

    /// The fields of a variable's hash, as stored. The Lua prelude carries them as `VARIABLE.<stored name>`.
    public enum Field: String, CaseIterable, Sendable {
        case path
        /// A plain variable's text, or a secret's sealed form.
        case value
        /// `1` for a secret.
        case secret
        /// The key a secret is sealed to.
        case keyID = "key_id"
        case description
        /// JSON array of path prefixes; absent: every job.
        case allow
        case version
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init?(fields: [String: String]) {
        guard let path = fields[Field.path.rawValue], let value = fields[Field.value.rawValue] else { return nil }
        self.path = path
        storedValue = value
        isSecret = fields[Field.secret.rawValue] == "1"
        description = fields[Field.description.rawValue] ?? ""
        access = AccessRule(stored: fields[Field.allow.rawValue])
        keyID = fields[Field.keyID.rawValue]
        version = fields[Field.version.rawValue].flatMap { Int($0) } ?? 0
        createdAt = fields[Field.createdAt.rawValue].flatMap { Int64($0) } ?? 0
        updatedAt = fields[Field.updatedAt.rawValue].flatMap { Int64($0) } ?? 0
    }
}

/// What `sluice variable set` writes: the path, the value (plain, or sealed to the secrets
/// public key), and the description and access rule when given (`nil` keeps the current ones).
public struct VariableUpdate: Sendable {
    /// A value as it goes to Redis.
    public enum Value: Sendable {
        case plain(String)
        /// A secret, sealed to `publicKey` (registered as the secrets key when none is).
        case sealed(SecretSeal, publicKey: SecretPublicKey)
    }

    public var path: String
    public var value: Value
    public var description: String?
    public var access: AccessRule?
    /// Set only if the variable is still at this version (`0`: does not exist yet); `nil`: whatever it is.
    public var expectedVersion: Int?

    public init(path: String, value: Value, description: String? = nil, access: AccessRule? = nil, expectedVersion: Int? = nil) {
        self.path = path
        self.value = value
        self.description = description
        self.access = access
        self.expectedVersion = expectedVersion
    }
}

/// A change the store would not make, with the reason.
public struct StoreRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

public import SluiceCore

/// A resource as Redis keeps it (`P:resource:<path>`): a typed JSON value, Windmill's
/// connection-settings objects (`postgresql`, `stripe`, …). Its string fields may be `$var:PATH`
/// references, resolved when a job reads it.
public struct StoredResource: Sendable, Equatable {
    public var path: String
    public var type: String
    public var value: JSONValue
    public var description: String
    public var access: AccessRule
    public var version: Int
    public var createdAt: Int64
    public var updatedAt: Int64

    /// The fields of a resource's hash, as stored. The Lua prelude carries them as `RESOURCE.<stored name>`.
    public enum Field: String, CaseIterable, Sendable {
        case path
        /// The resource type (`postgresql`, `stripe`…).
        case type
        /// JSON; its string fields may be `$var:PATH` references.
        case value
        case description
        /// JSON array of path prefixes; absent: every job.
        case allow
        case version
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init?(fields: [String: String]) {
        guard let path = fields[Field.path.rawValue], let text = fields[Field.value.rawValue], let value = try? JSONValue(parsing: text) else {
            return nil
        }
        self.path = path
        type = fields[Field.type.rawValue] ?? ""
        self.value = value
        description = fields[Field.description.rawValue] ?? ""
        access = AccessRule(stored: fields[Field.allow.rawValue])
        version = fields[Field.version.rawValue].flatMap { Int($0) } ?? 0
        createdAt = fields[Field.createdAt.rawValue].flatMap { Int64($0) } ?? 0
        updatedAt = fields[Field.updatedAt.rawValue].flatMap { Int64($0) } ?? 0
    }
}

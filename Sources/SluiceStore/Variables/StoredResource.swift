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

    init?(fields: [String: String]) {
        guard let path = fields["path"], let text = fields["value"], let value = try? JSONValue(parsing: text) else { return nil }
        self.path = path
        type = fields["type"] ?? ""
        self.value = value
        description = fields["description"] ?? ""
        access = AccessRule(stored: fields["allow"])
        version = fields["version"].flatMap { Int($0) } ?? 0
        createdAt = fields["created_at"].flatMap { Int64($0) } ?? 0
        updatedAt = fields["updated_at"].flatMap { Int64($0) } ?? 0
    }
}

public import SluiceCore
public import SluiceRedis

/// Resources: `P:resource:<path>` hashes and the `P:resources` index.
public struct ResourceStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// The most bytes a resource's JSON may take.
    public static let maximumSize = 1 << 20

    /// Creates or replaces the resource at `path`; `description` and `access` replace the current
    /// ones when given. With `expectedVersion`, only if the resource is still at that version (`0`:
    /// it does not exist yet). Returns whether it was created, and its version.
    @discardableResult
    public func set(
        path: String, type: String, value: JSONValue, description: String? = nil, access: AccessRule? = nil, expectedVersion: Int? = nil,
        on connection: RedisConnection
    ) throws -> (created: Bool, version: Int) {
        let text = value.jsonText
        guard text.utf8.count <= Self.maximumSize else { throw StoreRefusal("the resource is larger than \(Self.maximumSize) bytes") }
        let reply = try connection.evaluate(
            StoreScripts.setResource, in: keys, keys: [.string(keys.resource(path)), .string(keys.resources)],
            arguments: [
                .string(path), .string(type), .string(text), description == nil ? "0" : "1", .string(description ?? ""),
                access == nil ? "0" : "1", .string(access?.json ?? "[]"), .string(expectedVersion.map(String.init) ?? ""),
            ])
        return try VariableStore.applied(reply)
    }

    /// The resource at `path`, or `nil`.
    public func resource(at path: String, on connection: RedisConnection) throws(RedisError) -> StoredResource? {
        try connection.send(["HGETALL", .string(keys.resource(path))]).fieldDictionary.flatMap(StoredResource.init(fields:))
    }

    /// The resources at `paths` that exist, in one round trip.
    public func resources(at paths: [String], on connection: RedisConnection) throws(RedisError) -> [String: StoredResource] {
        guard !paths.isEmpty else { return [:] }
        let replies = try connection.pipeline(paths.map { ["HGETALL", .string(keys.resource($0))] })
        var found: [String: StoredResource] = [:]
        for reply in replies {
            if let resource = reply.fieldDictionary.flatMap(StoredResource.init(fields:)) { found[resource.path] = resource }
        }
        return found
    }

    /// Every resource, by path.
    public func list(on connection: RedisConnection) throws(RedisError) -> [StoredResource] {
        let paths = try connection.send(["ZRANGE", .string(keys.resources), "0", "-1"]).array?.compactMap(\.string) ?? []
        return try resources(at: paths, on: connection).values.sorted { $0.path < $1.path }
    }

    /// Why `type` cannot name a resource type (letters, digits, `_ - .`, up to 100), or `nil`.
    public static func typeProblem(_ type: String) -> String? {
        guard !type.isEmpty, type.count <= 100, type.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
            return "invalid resource type '\(type)' (letters, digits, _ - .)"
        }
        return nil
    }

    /// Why `value` cannot be a resource's value, or `nil`: its references may name variables
    /// (`$var:` with a valid path), never other resources.
    public static func valueProblem(_ value: JSONValue) -> String? {
        for reference in value.references.sorted(by: { $0.path < $1.path }) {
            if reference.kind == .resource {
                return "'\(reference.marker)': a resource's fields may reference variables ($var:), not other resources"
            }
            if ScriptPath(reference.path) == nil { return "'\(reference.marker)': '\(reference.path)' is not a valid variable path" }
        }
        return nil
    }

    /// Removes the resource at `path`; `false` when there was none.
    @discardableResult
    public func delete(_ path: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        let reply = try connection.evaluate(
            StoreScripts.deleteVariable, in: keys, keys: [.string(keys.resource(path)), .string(keys.resources)], arguments: [.string(path)])
        return reply.integer == 1
    }
}

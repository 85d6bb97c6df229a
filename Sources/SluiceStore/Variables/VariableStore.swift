import Foundation
public import SluiceRedis
public import SluiceSecrets

/// The fields of the registered secrets key's hash (`P:secrets`), as stored. The Lua prelude
/// carries them as `SECRETS_KEY.<stored name>`.
public enum SecretsKeyField: String, CaseIterable, Sendable {
    /// The id of the key every secret is sealed to.
    case keyID = "key_id"
    /// Its public key, base64.
    case publicKey = "public_key"
    case updatedAt = "updated_at"
}

/// Variables and secrets: `P:variable:<path>` hashes, the `P:variables` index, and the registered
/// secrets key (`P:secrets`). Every change is one Lua script; reads are plain commands.
public struct VariableStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// Creates or replaces a variable (``VariableUpdate``). Returns whether it was created, and its
    /// version. Throws ``StoreRefusal`` when the script refuses (a secret made plain, a secret sealed
    /// to a key that is not the registered one).
    @discardableResult
    public func set(_ update: VariableUpdate, on connection: RedisConnection) throws -> (created: Bool, version: Int) {
        let value: String
        var secret = "0"
        var keyID = ""
        var publicKey = ""
        switch update.value {
        case .plain(let text): value = text
        case .sealed(let seal, let key):
            value = seal.text
            secret = "1"
            keyID = seal.keyID
            publicKey = key.base64
            guard key.id == seal.keyID else { throw StoreRefusal("the value is not sealed to the public key given with it") }
        }
        let reply = try connection.evaluate(
            StoreScripts.setVariable, in: keys,
            keys: [.string(keys.variable(update.path)), .string(keys.variables), .string(keys.secrets)],
            arguments: [
                .string(update.path), .string(value), .string(secret), .string(keyID), .string(publicKey),
                update.description == nil ? "0" : "1", .string(update.description ?? ""),
                update.access == nil ? "0" : "1", .string(update.access?.json ?? "[]"),
                .string(update.expectedVersion.map(String.init) ?? ""),
            ])
        return try Self.applied(reply)
    }

    /// The variable at `path`, or `nil`.
    public func variable(at path: String, on connection: RedisConnection) throws(RedisError) -> StoredVariable? {
        try connection.send(["HGETALL", .string(keys.variable(path))]).fieldDictionary.flatMap(StoredVariable.init(fields:))
    }

    /// The variables at `paths` that exist, in one round trip.
    public func variables(at paths: [String], on connection: RedisConnection) throws(RedisError) -> [String: StoredVariable] {
        guard !paths.isEmpty else { return [:] }
        let replies = try connection.pipeline(paths.map { ["HGETALL", .string(keys.variable($0))] })
        var found: [String: StoredVariable] = [:]
        for reply in replies {
            if let variable = reply.fieldDictionary.flatMap(StoredVariable.init(fields:)) { found[variable.path] = variable }
        }
        return found
    }

    /// Every variable, by path.
    public func list(on connection: RedisConnection) throws(RedisError) -> [StoredVariable] {
        let paths = try connection.send(["ZRANGE", .string(keys.variables), "0", "-1"]).array?.compactMap(\.string) ?? []
        return try variables(at: paths, on: connection).values.sorted { $0.path < $1.path }
    }

    /// Removes the variable at `path`; `false` when there was none.
    @discardableResult
    public func delete(_ path: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        let reply = try connection.evaluate(
            StoreScripts.deleteVariable, in: keys, keys: [.string(keys.variable(path)), .string(keys.variables)], arguments: [.string(path)])
        return reply.integer == 1
    }

    /// The registered secrets key (the one every secret is sealed to), or `nil` before the first secret.
    public func registeredKey(on connection: RedisConnection) throws -> SecretPublicKey? {
        guard let fields = try connection.send(["HGETALL", .string(keys.secrets)]).fieldDictionary,
            let text = fields[SecretsKeyField.publicKey.rawValue],
            let bytes = Data(base64Encoded: text)
        else { return nil }
        return try SecretPublicKey(rawRepresentation: Array(bytes))
    }

    /// Re-seals every secret to `newKey` and registers it, in one script (see `rotate_secrets`).
    /// `resealed` holds, per secret path, the sealed value as read and the new one. Returns how
    /// many were re-sealed; throws ``StoreRefusal`` when the registered key is not `oldKeyID`,
    /// and ``RotationConflict`` when a secret changed since it was read (read again and retry).
    public func rotate(
        from oldKeyID: String?, to newKey: SecretPublicKey, resealed: [(path: String, read: String, sealed: String)], on connection: RedisConnection
    ) throws -> Int {
        var arguments: [RedisArgument] = [.string(oldKeyID ?? ""), .string(newKey.id), .string(newKey.base64)]
        for entry in resealed { arguments += [.string(entry.path), .string(entry.read), .string(entry.sealed)] }
        let reply = try connection.evaluate(
            StoreScripts.rotateSecrets, in: keys, keys: [.string(keys.namespace), .string(keys.secrets), .string(keys.variables)],
            arguments: arguments)
        let parts = reply.array ?? []
        switch parts.first?.string {
        case "ok": return Int(parts.count > 1 ? parts[1].integer ?? 0 : 0)
        case "stale": throw RotationConflict(path: parts.count > 1 ? parts[1].string ?? "?" : "?")
        case "refused": throw StoreRefusal(parts.count > 1 ? parts[1].string ?? "refused" : "refused")
        default: throw RedisError.unexpectedReply("rotate_secrets: \(reply)")
        }
    }

    /// `{'ok', created, version}` or `{'refused', why}` from a set script.
    static func applied(_ reply: RedisReply) throws -> (created: Bool, version: Int) {
        let parts = reply.array ?? []
        switch parts.first?.string {
        case "ok" where parts.count == 3: return (parts[1].integer == 1, Int(parts[2].integer ?? 0))
        case "refused": throw StoreRefusal(parts.count > 1 ? parts[1].string ?? "refused" : "refused")
        default: throw RedisError.unexpectedReply("\(reply)")
        }
    }
}

/// A secret changed while a rotation read it; nothing was applied.
public struct RotationConflict: Error, Sendable, CustomStringConvertible {
    public let path: String
    public var description: String { "the secret at '\(path)' changed during the rotation; nothing was applied" }
}

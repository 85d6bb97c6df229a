public import SluiceCore
public import SluiceRedis

/// A script as stored under its path.
public struct StoredScript: Sendable, Equatable {
    public var path: String
    public var hash: String
    public var language: ScriptLanguage
    public var summary: String
    /// When this version became current, in ms since the epoch.
    public var updatedAt: Int64

    /// The fields of a script's hash (`P:script:<path>`) and a flow's (`P:flow:<path>`, without
    /// `language`), as stored. The Lua prelude carries them as `SCRIPT.<stored name>`.
    public enum Field: String, CaseIterable, Sendable {
        case path
        /// The current version: its content's SHA-256 (a flow's: its document's).
        case hash
        case language
        case summary
        case updatedAt = "updated_at"
        /// JSON array of the path prefixes whose jobs may start it besides its own folder.
        case callers
    }
}

/// Pushed scripts: content by hash (immutable), the current version per path, older versions kept.
public struct ScriptStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// Stores `content` and makes it the current version of `path`. Returns the content hash and
    /// whether it changed the current version.
    ///
    /// `lock` is the lock resolved for this content — a Python or TypeScript script's
    /// (``lock(hash:on:)``); it is kept only when the content has none yet, like the content itself.
    @discardableResult
    public func push(
        path: ScriptPath,
        language: ScriptLanguage,
        content: String,
        summary: String = "",
        lock: String? = nil,
        on connection: RedisConnection
    ) throws(RedisError) -> (hash: String, changed: Bool) {
        let hash = ContentHash.of(content)
        let reply = try connection.evaluate(
            StoreScripts.pushScript, in: keys,
            keys: [
                .string(keys.content(hash)), .string(keys.script(path.rawValue)), .string(keys.scriptVersions(path.rawValue)),
                .string(keys.scripts), .string(keys.contentLock(hash)),
            ],
            arguments: [.string(path.rawValue), .string(hash), .string(language.rawValue), .string(content), .string(summary), .string(lock ?? "")]
        )
        return (hash, reply.integer == 1)
    }

    /// Stores content by hash alone (inline flow scripts), with its lock if it has one. Returns the hash.
    @discardableResult
    public func storeContent(_ content: String, lock: String? = nil, on connection: RedisConnection) throws(RedisError) -> String {
        let hash = ContentHash.of(content)
        if let lock { try connection.send(["SET", .string(keys.contentLock(hash)), .string(lock), "NX"]) }
        try connection.send(["SET", .string(keys.content(hash)), .string(content), "NX"])
        return hash
    }

    /// The lock stored with the content under `hash` (Python's requirements or TypeScript's
    /// packages), or `nil` when it has none.
    public func lock(hash: String, on connection: RedisConnection) throws(RedisError) -> String? {
        try connection.send(["GET", .string(keys.contentLock(hash))]).string
    }

    /// The content under `hash` and its lock, in one round trip.
    public func version(hash: String, on connection: RedisConnection) throws(RedisError) -> (content: String, lock: String?)? {
        let replies = try connection.pipeline([["GET", .string(keys.content(hash))], ["GET", .string(keys.contentLock(hash))]])
        guard let content = replies.first?.string else { return nil }
        return (content, replies.count > 1 ? replies[1].string : nil)
    }

    /// The current version of `path`, or `nil` when nothing was pushed there.
    public func script(at path: String, on connection: RedisConnection) throws(RedisError) -> StoredScript? {
        Self.script(at: path, from: try connection.send(["HGETALL", .string(keys.script(path))]))
    }

    /// The script `reply` (an `HGETALL` of its hash) describes, or `nil`.
    static func script(at path: String, from reply: RedisReply) -> StoredScript? {
        typealias Field = StoredScript.Field
        guard let fields = reply.fieldDictionary, let hash = fields[Field.hash.rawValue],
            let language = fields[Field.language.rawValue].flatMap(ScriptLanguage.init(rawValue:))
        else { return nil }
        return StoredScript(
            path: path, hash: hash, language: language, summary: fields[Field.summary.rawValue] ?? "",
            updatedAt: fields[Field.updatedAt.rawValue].flatMap { Int64($0) } ?? 0)
    }

    /// Every pushed script path, most recently updated first.
    public func list(on connection: RedisConnection) throws(RedisError) -> [StoredScript] {
        let paths = try connection.send(["ZREVRANGE", .string(keys.scripts), "0", "-1"]).array?.compactMap(\.string) ?? []
        var scripts: [StoredScript] = []
        for path in paths {
            if let script = try script(at: path, on: connection) { scripts.append(script) }
        }
        return scripts
    }

    /// The hashes of every version of `path`, newest first, with when each was pushed.
    /// The stored version of `path` that `pin` names — its whole SHA-256, or 12 or more of its first
    /// hex digits naming one version only — or `nil`.
    public func pinnedVersion(_ pin: String, of path: String, on connection: RedisConnection) throws(RedisError) -> String? {
        let pin = pin.lowercased()
        guard pin.count >= 12, pin.allSatisfy(\.isHexDigit) else { return nil }
        let matching = try versions(of: path, on: connection).map(\.hash).filter { $0.hasPrefix(pin) }
        return matching.count == 1 ? matching[0] : nil
    }

    public func versions(of path: String, on connection: RedisConnection) throws(RedisError) -> [(hash: String, pushedAt: Int64)] {
        let reply = try connection.send(["ZREVRANGE", .string(keys.scriptVersions(path)), "0", "-1", "WITHSCORES"])
        let elements = reply.array ?? []
        var versions: [(String, Int64)] = []
        var index = 0
        while index + 1 < elements.count {
            if let hash = elements[index].string, let score = elements[index + 1].string.flatMap(Double.init) {
                versions.append((hash, Int64(score)))
            }
            index += 2
        }
        return versions
    }

    /// The content stored under `hash`, or `nil`.
    public func content(hash: String, on connection: RedisConnection) throws(RedisError) -> String? {
        try connection.send(["GET", .string(keys.content(hash))]).string
    }
}

public import SluiceCore
public import SluiceRedis

/// Trigger tokens in Redis: `token:<id>` (name, scopes, the secret's SHA-256, expiry) and the
/// `tokens` index of names. Made and revoked by the CLI, read by the resumer for each delivery.
public struct TokenStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace) {
        self.keys = keys
    }

    /// Records a new token called `name`: returns its text (to show once), or a refusal when the
    /// name is taken.
    public func create(
        name: String, scopes: [TokenScope], expiresAt: Int64?, rate: RateLimit? = nil, createdBy: String, on connection: RedisConnection
    )
        throws -> TokenText
    {
        let token = TokenText.generate()
        let reply = try connection.evaluate(
            StoreScripts.createToken, in: keys, keys: [.string(keys.namespace), .string(keys.token(token.id)), .string(keys.tokens)],
            arguments: [
                .string(token.id), .string(name), .string(token.secretHash),
                .string(JSONValue.array(scopes.map { .string($0.description) }).jsonText),
                .int(expiresAt ?? 0), .string(createdBy), .string(rate.map { String($0.perSecond) } ?? ""), .int(rate?.burst ?? 0),
            ])
        guard let parts = reply.array, parts.first?.string == "ok" else {
            throw StoreRefusal(reply.array?.dropFirst().first?.string ?? "the token was not created: \(reply)")
        }
        return token
    }

    /// Deletes the token called `name`; false when there is none.
    public func revoke(name: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        try connection.evaluate(
            StoreScripts.revokeToken, in: keys, keys: [.string(keys.namespace), .string(keys.tokens)], arguments: [.string(name)]
        )
        .integer == 1
    }

    /// The token with `id`, or `nil` (unknown, revoked or expired).
    public func token(id: String, on connection: RedisConnection) throws(RedisError) -> TriggerToken? {
        try connection.send(["HGETALL", .string(keys.token(id))]).fieldDictionary.flatMap(TriggerToken.init(fields:))
    }

    /// Every live token, by name.
    public func list(on connection: RedisConnection) throws(RedisError) -> [TriggerToken] {
        let ids = try connection.send(["HGETALL", .string(keys.tokens)]).fieldDictionary ?? [:]
        var tokens: [TriggerToken] = []
        for (_, id) in ids.sorted(by: { $0.key < $1.key }) {
            if let token = try token(id: id, on: connection) { tokens.append(token) }
        }
        return tokens
    }

    /// What a delivery is checked against, in one round trip: the token with `tokenID` and what
    /// `path` holds (a script, a flow). The same reads whatever the token or the path.
    public func readForRun(tokenID: String, path: String, on connection: RedisConnection) throws(RedisError) -> (
        token: TriggerToken?, script: StoredScript?, flow: StoredFlow?
    ) {
        let replies = try connection.pipelineReads([
            ["HGETALL", .string(keys.token(tokenID))], ["HGETALL", .string(keys.script(path))], ["HGETALL", .string(keys.flow(path))],
        ])
        return (
            replies[0].fieldDictionary.flatMap(TriggerToken.init(fields:)), ScriptStore.script(at: path, from: replies[1]),
            FlowStore.flow(at: path, from: replies[2])
        )
    }

    /// The token with `tokenID` and the job `id`, in one round trip (a run's result read).
    public func readForJob(tokenID: String, job id: JobID, on connection: RedisConnection) throws(RedisError) -> (
        token: TriggerToken?, job: JobRecord?
    ) {
        let replies = try connection.pipelineReads([["HGETALL", .string(keys.token(tokenID))], ["HGETALL", .string(keys.job(id))]])
        return (replies[0].fieldDictionary.flatMap(TriggerToken.init(fields:)), try JobStore.job(from: replies[1]))
    }
}

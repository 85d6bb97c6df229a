public import SluiceCore
public import SluiceRedis

extension CallStore {
    /// The callers rule of the script (or, with `flow`, the flow) at `path` — the path prefixes of
    /// the jobs of other folders allowed to start it (``CallRule``) — or `nil` when it has none.
    public func callers(of path: String, flow: Bool, on connection: RedisConnection) throws(RedisError) -> AccessRule? {
        let key = flow ? keys.flow(path) : keys.script(path)
        guard let text = try connection.send(["HGET", .string(key), .string(StoredScript.Field.callers.rawValue)]).string else { return nil }
        return AccessRule(stored: text)
    }

    /// Sets (or, with no prefixes, removes) the callers rule of the script or flow at `path`.
    /// Returns false when there is no such script or flow.
    @discardableResult
    public func setCallers(_ rule: AccessRule, of path: String, flow: Bool, on connection: RedisConnection) throws(RedisError) -> Bool {
        let key = flow ? keys.flow(path) : keys.script(path)
        let reply = try connection.evaluate(StoreScripts.setCallers, in: keys, keys: [.string(key)], arguments: [.string(rule.json)])
        return reply.integer == 1
    }

    /// The script paths that hold the version `hash` (its content's SHA-256), sorted.
    public func paths(holdingVersion hash: String, on connection: RedisConnection) throws(RedisError) -> [String] {
        let paths = try connection.send(["ZRANGE", .string(keys.scripts), "0", "-1"]).array?.compactMap(\.string) ?? []
        guard !paths.isEmpty else { return [] }
        let scores = try connection.pipeline(paths.map { ["ZSCORE", .string(keys.scriptVersions($0)), .string(hash)] })
        return zip(paths, scores).filter { $0.1.string != nil }.map(\.0).sorted()
    }

    /// One stretch of a wait for job `id` to end: registers as its waiter the first time (`watching`
    /// false), then blocks for at most `slice` on its `:done` list. Returns the job as it is after
    /// (final or not; `nil` when unknown) and that it is watched now.
    public func waitBriefly(for id: JobID, watching: Bool, slice: Duration, on connection: RedisConnection) throws(RedisError) -> JobRecord? {
        let jobs = JobStore(keys: keys, settings: settings)
        if !watching {
            let reply = try connection.evaluate(StoreScripts.watchJob, in: keys, keys: [.string(keys.job(id))], arguments: [])
            guard let text = reply.string, let state = JobState(rawValue: text) else { return nil }
            if state.isFinal { return try jobs.job(id, on: connection) }
        } else if let job = try jobs.job(id, on: connection), job.state.isFinal {
            return job
        }
        _ = try connection.send(["BLPOP", .string(keys.jobDone(id)), slice.redisTimeoutArgument])
        return try jobs.job(id, on: connection)
    }
}

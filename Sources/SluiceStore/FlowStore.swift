public import SluiceCore
public import SluiceFlows
public import SluiceRedis

/// A flow as stored under its path.
public struct StoredFlow: Sendable, Equatable {
    public var path: String
    /// The content hash of the flow's document (inline scripts included), in `content:<hash>`.
    public var hash: String
    public var summary: String
    public var updatedAt: Int64
}

/// Pushed flows and running flows: documents by hash, the current version per path, and the
/// state of each run (its job hash, results hash and steps list).
public struct FlowStore: Sendable {
    public let keys: KeySpace
    public let settings: StoreSettings

    public init(keys: KeySpace = KeySpace(), settings: StoreSettings = StoreSettings()) {
        self.keys = keys
        self.settings = settings
    }

    // MARK: - Pushing flows

    /// Stores a parsed flow: its canonical document, and every inline script's content by hash,
    /// then points `path` at it. Returns the document's hash and whether the version changed.
    @discardableResult
    public func push(path: ScriptPath, document: JSONValue, definition: FlowDefinition, on connection: RedisConnection) throws(RedisError)
        -> (hash: String, changed: Bool)
    {
        let text = document.jsonText
        let hash = ContentHash.of(text)
        var commands: [[RedisArgument]] = []
        for module in definition.modules + [definition.failureModule].compactMap({ $0 }) {
            if case .rawScript(_, let content, _) = module.value {
                commands.append(["SET", .string(keys.content(ContentHash.of(content))), .string(content), "NX"])
            }
        }
        _ = try connection.pipeline(commands)
        let reply = try connection.evaluate(
            StoreScripts.pushScript,
            keys: [.string(keys.content(hash)), .string(keys.flow(path.rawValue)), .string(keys.flowVersions(path.rawValue)), .string(keys.flows)],
            arguments: [.string(path.rawValue), .string(hash), "flow", .string(text), .string(definition.summary)]
        )
        return (hash, reply.integer == 1)
    }

    /// The current version of the flow at `path`, or `nil`.
    public func flow(at path: String, on connection: RedisConnection) throws(RedisError) -> StoredFlow? {
        guard let fields = try connection.send(["HGETALL", .string(keys.flow(path))]).fieldDictionary, let hash = fields["hash"] else {
            return nil
        }
        return StoredFlow(
            path: path, hash: hash, summary: fields["summary"] ?? "", updatedAt: fields["updated_at"].flatMap { Int64($0) } ?? 0)
    }

    /// Every pushed flow, most recently updated first.
    public func list(on connection: RedisConnection) throws(RedisError) -> [StoredFlow] {
        let paths = try connection.send(["ZREVRANGE", .string(keys.flows), "0", "-1"]).array?.compactMap(\.string) ?? []
        var flows: [StoredFlow] = []
        for path in paths {
            if let flow = try flow(at: path, on: connection) { flows.append(flow) }
        }
        return flows
    }

    /// The stored document of a flow version.
    public func document(hash: String, on connection: RedisConnection) throws(RedisError) -> String? {
        try connection.send(["GET", .string(keys.content(hash))]).string
    }

    // MARK: - Running flows

    /// A flow run's stored state: its job and its results by module id.
    public struct RunState: Sendable {
        public var job: JobRecord
        public var results: [String: JSONValue]
        /// The flow's `version`: decisions are applied only at this version.
        public var version: Int
        public var cursor: String?
        public var attempt: Int
        public var currentJob: JobID?
        public var flowHash: String?
    }

    /// Reads a flow run (one round trip), or `nil` for an unknown id.
    public func runState(_ flowID: JobID, on connection: RedisConnection) throws(RedisError) -> RunState? {
        let replies = try connection.pipeline([["HGETALL", .string(keys.job(flowID))], ["HGETALL", .string(keys.flowResults(flowID))]])
        guard let fields = replies[0].fieldDictionary, let job = JobRecord(fields: fields) else { return nil }
        var results: [String: JSONValue] = [:]
        for (module, text) in replies[1].fieldDictionary ?? [:] {
            results[module] = (try? JSONValue(parsing: text)) ?? .string(text)
        }
        return RunState(
            job: job,
            results: results,
            version: fields["version"].flatMap { Int($0) } ?? 0,
            cursor: fields["cursor"],
            attempt: fields["attempt"].flatMap { Int($0) } ?? 1,
            currentJob: fields["current_job"].flatMap(JobID.init),
            flowHash: fields["flow_hash"]
        )
    }

    /// The step job ids of a flow run, in the order they were created.
    public func steps(of flowID: JobID, on connection: RedisConnection) throws(RedisError) -> [JobID] {
        (try connection.send(["ZRANGE", .string(keys.flowSteps(flowID)), "0", "-1"]).array ?? []).compactMap { $0.string.flatMap(JobID.init) }
    }

    /// What `advance_flow` answered.
    public struct AdvanceResult: Sendable {
        /// The held job's report was applied (false: it was stale).
        public var heldJobApplied: Bool
        /// The flow moved (false: it was no longer at the expected version, or no longer running).
        public var flowAdvanced: Bool
        public var next: JobRecord?
    }

    /// Applies a plan made by ``FlowPlan``.
    public func advance(_ plan: FlowPlan, on connection: RedisConnection) throws(RedisError) -> AdvanceResult {
        let reply = try connection.evaluate(
            StoreScripts.advanceFlow,
            keys: [
                .string(keys.namespace), .string(keys.job(plan.flowID)), .string(keys.flowResults(plan.flowID)),
                .string(keys.flowSteps(plan.flowID)), .string(keys.delayed), .string(keys.schedulerWake),
            ],
            arguments: [.string(plan.json(settings: settings).jsonText)]
        )
        guard let parts = reply.array, parts.count == 3 else { throw RedisError.unexpectedReply("advance_flow: \(reply)") }
        return AdvanceResult(heldJobApplied: parts[0].integer == 1, flowAdvanced: parts[1].integer == 1, next: try JobStore.job(from: parts[2]))
    }
}

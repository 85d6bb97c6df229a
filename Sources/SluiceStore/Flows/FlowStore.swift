public import SluiceCore
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
/// keys of each run (its job hash, results, steps, frames, containers), read and changed only
/// through ``FlowSnapshot`` reads and ``FlowAdvance`` decisions.
public struct FlowStore: Sendable {
    public let keys: KeySpace
    public let settings: StoreSettings
    /// The long texts this store's reads parsed lately (a flow's input, its results), shared by
    /// the copies of the store: a worker's every step reads them through one.
    public let parsedTexts: JSONParseCache

    public init(keys: KeySpace = KeySpace(), settings: StoreSettings = StoreSettings(), parsedTexts: JSONParseCache = JSONParseCache()) {
        self.keys = keys
        self.settings = settings
        self.parsedTexts = parsedTexts
    }

    // MARK: - Pushing flows

    /// Stores a flow's canonical document and the contents of its inline scripts (by hash), then
    /// points `path` at it. Returns the document's hash and whether the version changed.
    ///
    /// `locks` holds the Python locks of inline scripts, by content hash; each is kept only when
    /// that content has none yet, and is written before the document that refers to it.
    @discardableResult
    public func push(
        path: ScriptPath, document: JSONValue, summary: String, inlineScripts: [String], locks: [String: String] = [:],
        on connection: RedisConnection
    )
        throws(RedisError) -> (hash: String, changed: Bool)
    {
        let text = document.jsonText
        let hash = Self.versionHash(of: document)
        var commands: [[RedisArgument]] = locks.sorted { $0.key < $1.key }.map { contentHash, lock in
            ["SET", .string(keys.contentLock(contentHash)), .string(lock), "NX"]
        }
        commands += inlineScripts.map { content in
            ["SET", .string(keys.content(ContentHash.of(content))), .string(content), "NX"]
        }
        if !commands.isEmpty { _ = try connection.pipeline(commands) }
        let reply = try connection.evaluate(
            StoreScripts.pushScript, in: keys,
            keys: [.string(keys.content(hash)), .string(keys.flow(path.rawValue)), .string(keys.flowVersions(path.rawValue)), .string(keys.flows)],
            arguments: [.string(path.rawValue), .string(hash), "flow", .string(text), .string(summary)]
        )
        return (hash, reply.integer == 1)
    }

    /// The version hash a flow document is stored under: the SHA-256 of its JSON text.
    public static func versionHash(of document: JSONValue) -> String {
        ContentHash.of(document.jsonText)
    }

    /// The current version of the flow at `path`, or `nil`.
    public func flow(at path: String, on connection: RedisConnection) throws(RedisError) -> StoredFlow? {
        Self.flow(at: path, from: try connection.send(["HGETALL", .string(keys.flow(path))]))
    }

    /// The flow `reply` (an `HGETALL` of its hash) describes, or `nil`.
    static func flow(at path: String, from reply: RedisReply) -> StoredFlow? {
        typealias Field = StoredScript.Field
        guard let fields = reply.fieldDictionary, let hash = fields[Field.hash.rawValue] else { return nil }
        return StoredFlow(
            path: path, hash: hash, summary: fields[Field.summary.rawValue] ?? "",
            updatedAt: fields[Field.updatedAt.rawValue].flatMap { Int64($0) } ?? 0)
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

    /// The step job ids of a flow run, in the order they were created.
    public func steps(of flowID: JobID, on connection: RedisConnection) throws(RedisError) -> [JobID] {
        (try connection.send(["ZRANGE", .string(keys.flowSteps(flowID)), "0", "-1"]).array ?? []).compactMap { $0.string.flatMap(JobID.init) }
    }

    /// Reads what a decision needs, in one round trip.
    public func read(_ request: FlowSnapshot.Request, on connection: RedisConnection) throws(RedisError) -> FlowSnapshot {
        let flow = request.flow
        var commands: [[RedisArgument]] = [["HMGET", .string(keys.job(flow))] + request.flowFields.map { .string($0) }]
        let records = request.records
        if !records.isEmpty { commands.append(["HMGET", .string(keys.flowFrames(flow))] + records.map { .string($0) }) }
        if !request.results.isEmpty { commands.append(["HMGET", .string(keys.flowResults(flow))] + request.results.map { .string($0) }) }
        for item in request.items { commands.append(["HGET", .string(keys.containerItems(flow, container: item.container)), .int(item.child)]) }
        if let container = request.collected { commands.append(["HGETALL", .string(keys.containerCollected(flow, container: container))]) }
        return FlowSnapshot(replies: try connection.pipelineReads(commands), for: request, parsing: parsedTexts.value(parsing:))
    }

    /// What `advance_flow` answered.
    public struct AdvanceResult: Sendable {
        /// The held job's report was applied (false: it was stale).
        public var heldJobApplied: Bool
        /// The decision applied (false: the frame or the flow was no longer as the decision saw it).
        public var flowAdvanced: Bool
        public var next: JobRecord?
        /// What the plan's `prefetch` asked to read for `next`, read in the same call after the
        /// decision was applied (nil when `next` is not a job it named).
        public var prefetched: FlowSnapshot?
    }

    /// Applies a decision with `advance_flow`.
    public func advance(_ decision: FlowAdvance, on connection: RedisConnection) throws -> AdvanceResult {
        let reply: RedisReply
        let plan = PlanTexts(lifting: decision.json(settings: settings))
        do {
            reply = try connection.evaluate(
                StoreScripts.advanceFlow, in: keys,
                keys: [.string(keys.namespace), .string(keys.job(decision.flow)), .string(keys.flowFrames(decision.flow))],
                arguments: [.string(plan.plan.jsonText)] + plan.texts.map { .string($0) }
            )
        } catch {
            if let message = Self.advanceFlowMessage(error), message.hasPrefix("CALL ") {
                throw CallRefusal(String(message.dropFirst("CALL ".count)))
            }
            throw Self.duplicate(error) ?? error
        }
        guard let parts = reply.array, parts.count == 4 else { throw RedisError.unexpectedReply("advance_flow: \(reply)") }
        let next = try JobStore.job(from: parts[2])
        let prefetched = next.flatMap { job in
            decision.prefetch[job.id].flatMap { request in
                parts[3].array.map { FlowSnapshot(replies: $0, for: request, parsing: parsedTexts.value(parsing:)) }
            }
        }
        return AdvanceResult(heldJobApplied: parts[0].integer == 1, flowAdvanced: parts[1].integer == 1, next: next, prefetched: prefetched)
    }

    /// Creates a gated step's pending gate before its script runs (fenced by the step's delivery).
    /// Returns false when the step is no longer this worker's.
    public func openPendingGate(step: JobRecord, flow: JobID, worker: String, fields: [String], on connection: RedisConnection)
        throws(RedisError) -> Bool
    {
        let reply = try connection.evaluate(
            StoreScripts.openPendingGate, in: keys,
            keys: [.string(keys.namespace), .string(keys.job(step.id)), .string(keys.gate(step.id)), .string(keys.flowGates(flow))],
            arguments: [.string(step.id.rawValue), .string(worker), .int(step.deliveries), .string(flow.rawValue)] + fields.map { .string($0) }
        )
        return (reply.integer ?? 0) > 0
    }
}

extension FlowStore {
    /// The duplicate delivery `advance_flow` refused with, if that is what `error` is.
    static func duplicate(_ error: RedisError) -> DuplicateDelivery? {
        guard let message = advanceFlowMessage(error), message.hasPrefix("DUPLICATE ") else { return nil }
        return JobID(String(message.dropFirst("DUPLICATE ".count))).map(DuplicateDelivery.init(run:))
    }

    /// The error text `advance_flow` itself returned: a script's error comes back as
    /// `advance_flow: TEXT` (the connection names the script), or as it is from a pipeline.
    static func advanceFlowMessage(_ error: RedisError) -> String? {
        guard case .server(let message) = error else { return nil }
        let named = StoreScripts.advanceFlow.name + ": "
        return message.hasPrefix(named) ? String(message.dropFirst(named.count)) : message
    }
}

/// A trigger delivery whose key started a run within its window: nothing was written; `run` is
/// the run the first delivery started.
public struct DuplicateDelivery: Error, Sendable, Equatable {
    public let run: JobID
}

/// What the flow runtime read of a run for one decision (see ``FlowStore/read(_:on:)``).
public struct FlowSnapshot: Sendable {
    /// What to read: fields of the flow's hash, records of its frames hash (frames and
    /// containers), result fields, loop elements, one container's collected results.
    public struct Request: Sendable {
        public var flow: JobID
        public var flowFields: [String]
        public var records: [String]
        public var results: [String]
        /// Loop elements: a for loop's element `child` for each container.
        public var items: [(container: String, child: Int)]
        public var collected: String?

        /// The request as `advance_flow`'s `prefetch` takes it (for a step of the plan's own flow;
        /// a container's collected results are never prefetched).
        public var prefetchJSON: JSONValue {
            [
                "fields": .array(flowFields.map { .string($0) }), "records": .array(records.map { .string($0) }),
                "results": .array(results.map { .string($0) }), "items": .array(items.map { [.string($0.container), .number(Double($0.child))] }),
            ]
        }

        /// The request `advance_flow`'s `prefetch` (or a first step's `scope` field) holds, read
        /// back; nil when `json` is not one.
        public init?(flow: JobID, prefetchJSON json: JSONValue) {
            func strings(_ key: String) -> [String]? {
                guard case .array(let values)? = json[key] else { return nil }
                let texts = values.compactMap(\.stringValue)
                return texts.count == values.count ? texts : nil
            }
            guard let fields = strings("fields"), let records = strings("records"), let results = strings("results"),
                case .array(let elements)? = json["items"]
            else { return nil }
            var items: [(container: String, child: Int)] = []
            for element in elements {
                guard case .array(let pair) = element, pair.count == 2, let container = pair[0].stringValue, case .number(let child) = pair[1],
                    let index = Int(exactly: child)
                else { return nil }
                items.append((container, index))
            }
            self.init(flow: flow, flowFields: fields, records: records, results: results, items: items)
        }

        /// The field of a flow's first step that holds its request (``prefetchJSON``), written when
        /// the flow starts: `fetch_job` makes those reads when it takes the step.
        public static let stepField = "scope"

        /// Whether `other` asks for exactly the same reads.
        public func asksSame(as other: Request) -> Bool {
            flow == other.flow && flowFields == other.flowFields && records == other.records && results == other.results
                && items.map(\.container) == other.items.map(\.container) && items.map(\.child) == other.items.map(\.child)
                && collected == other.collected
        }

        public init(
            flow: JobID, flowFields: [String], records: [String] = [], results: [String] = [], items: [(container: String, child: Int)] = [],
            collected: String? = nil
        ) {
            self.flow = flow
            self.flowFields = flowFields
            self.records = records
            self.results = results
            self.items = items
            self.collected = collected
        }
    }

    /// The snapshot in the replies to a request's reads, in the order ``FlowStore/read(_:on:)``
    /// sends them (`advance_flow`'s prefetch answers in the same order); `parse` reads each
    /// result, collected result and loop element (`nil`: not JSON).
    init(replies: [RedisReply], for request: Request, parsing parse: (String) -> JSONValue? = { try? JSONValue(parsing: $0) }) {
        self.request = request
        var index = 0
        func nextReply() -> RedisReply {
            defer { index += 1 }
            return index < replies.count ? replies[index] : .null
        }
        func parseReply(_ reply: RedisReply) -> JSONValue? { reply.string.flatMap(parse) }
        let flowReply = nextReply().array ?? []
        for (position, field) in request.flowFields.enumerated() where position < flowReply.count {
            if let value = flowReply[position].string { flowFields[field] = value }
        }
        if !request.records.isEmpty {
            let reply = nextReply().array ?? []
            for (position, id) in request.records.enumerated() where position < reply.count {
                // Records change at every step: parsed as they are, never kept.
                if let value = reply[position].string.flatMap({ try? JSONValue(parsing: $0) }) { records[id] = value }
            }
        }
        if !request.results.isEmpty {
            let reply = nextReply().array ?? []
            for (position, field) in request.results.enumerated() where position < reply.count {
                if let text = reply[position].string { results[field] = parse(text) ?? .string(text) }
            }
        }
        items = request.items.map { _ in parseReply(nextReply()) }
        if request.collected != nil {
            for (child, text) in nextReply().fieldDictionary ?? [:] {
                if let number = Int(child) { collected[number] = parse(text) ?? .string(text) }
            }
        }
    }

    /// What was read: a snapshot read ahead is used only for a step whose own request is the same.
    public var request: Request
    public var flowFields: [String: String] = [:]
    /// Frame and container records by id, as JSON.
    public var records: [String: JSONValue] = [:]
    /// Result values by field.
    public var results: [String: JSONValue] = [:]
    /// The loop elements asked for, in the order asked (`nil`: missing).
    public var items: [JSONValue?] = []
    /// A container's collected results by child index.
    public var collected: [Int: JSONValue] = [:]
}

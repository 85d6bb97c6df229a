import Foundation
public import SluiceCore
public import SluiceFlows
public import SluiceRedis
public import SluiceSecrets
public import SluiceStore

/// The flow runtime: everything between a flow definition and the store. It pushes and starts
/// flows, prepares each step (reading the scope its expressions need and asking the pure
/// ``FlowStepper`` how it starts), reports it (asking what follows and applying the answer with
/// one `advance_flow` call), and handles flow events (gates decided, containers done, subflows
/// ended, steps lost). The worker, the CLI, the tests and the benchmarks all go through it.
///
/// Every method blocks on the given connection: call it from a Redis client's own thread.
public struct FlowEngine: Sendable {
    public let flows: FlowStore
    /// Resolves the variables and resources a module names as its step starts; only a process
    /// holding the secrets key (a worker) can open secrets with it.
    public let resolver: VariableResolver
    let definitions: FlowDefinitionCache

    /// `expressionEngine` evaluates the expressions beyond the in-process subset (a worker's warm
    /// Deno); without one, such an expression fails the step that needs it, saying so.
    public init(flows: FlowStore, keyring: SecretKeyring = SecretKeyring([]), expressionEngine: (any ExpressionEngine)? = nil) {
        self.flows = flows
        resolver = VariableResolver(keys: flows.keys, keyring: keyring)
        definitions = FlowDefinitionCache(evaluator: JavaScriptSubsetEvaluator(engine: expressionEngine))
    }

    public var keys: KeySpace { flows.keys }

    // MARK: - Pushing

    /// A pushed flow: its version hash, whether that changed the current version, the parse warnings.
    public struct Pushed: Sendable {
        public var hash: String
        public var changed: Bool
        public var warnings: [String]
        public var definition: FlowDefinition
    }

    /// What a push accepts beyond what runs as written.
    public struct PushPolicy: Sendable {
        /// Refuse a flow with any warning (a field Sluice does not honour, or does not know).
        public var strict: Bool
        /// Keep modules that cannot run here (they fail when the flow reaches them) instead of refusing the flow.
        public var allowUnsupported: Bool

        public init(strict: Bool = false, allowUnsupported: Bool = false) {
            self.strict = strict
            self.allowUnsupported = allowUnsupported
        }
    }

    /// A flow read and checked for a push, not stored yet: its self-contained document (inline
    /// scripts in place), that document's version hash, and what the parse found.
    public struct Prepared: Sendable {
        public var document: JSONValue
        public var hash: String
        public var flow: ParsedFlow
    }

    /// Parses a flow document (YAML or JSON; `!inline` files read with `loadInline`) and checks it
    /// as ``push(path:text:loadInline:lockScript:policy:on:)`` does, storing nothing: a flow with
    /// modules that cannot run here is refused, naming them, unless `policy` allows them; with
    /// `policy.strict`, so is a flow with warnings. Reads the scripts its version pins and Hub
    /// paths name, to warn about those that are not stored.
    public func prepare(
        text: String,
        loadInline: @escaping FlowParser.InlineLoader = { name in
            throw FlowFormatError(at: "", "no file to resolve '!inline \(name)'")
        }, policy: PushPolicy = PushPolicy(), on connection: RedisConnection
    ) throws -> Prepared {
        let (document, read) = try FlowParser(loadInline: loadInline).canonicalDocument(text)
        var parsed = read
        if !parsed.unsupported.isEmpty, !policy.allowUnsupported {
            throw FlowFormatError(
                at: "",
                "cannot run here: " + parsed.unsupported.joined(separator: "; ")
                    + " (push with --allow-unsupported to keep the flow: it then fails only if it reaches such a module)")
        }
        let scripts = ScriptStore(keys: flows.keys)
        for module in parsed.definition.allModules {
            switch module.value {
            case .script(let scriptPath, _, let pin):
                if HubPath.isHub(scriptPath), try scripts.script(at: scriptPath, on: connection) == nil {
                    parsed.warnings.append("module '\(module.id)': " + HubPath.notStored(scriptPath))
                } else if let pin, try scripts.pinnedVersion(pin, of: scriptPath, on: connection) == nil {
                    parsed.warnings.append(
                        "module '\(module.id)': hash \(pin) is not a stored version of \(scriptPath) (Sluice keeps versions by the SHA-256 of "
                            + "their content: `sluice script show \(scriptPath) --versions`): the current version runs")
                }
            case .flow(let flowPath, _) where HubPath.isHub(flowPath):
                if try flows.flow(at: flowPath, on: connection) == nil {
                    parsed.warnings.append("module '\(module.id)': " + HubPath.notStored(flowPath))
                }
            default: break
            }
        }
        if policy.strict, !parsed.warnings.isEmpty {
            throw FlowFormatError(at: "", "refused (--strict): " + parsed.warnings.joined(separator: "; "))
        }
        return Prepared(document: document, hash: FlowStore.versionHash(of: document), flow: parsed)
    }

    /// Locks an inline script when its flow is pushed: given its language, its content and
    /// Windmill's lock of it (a TypeScript step's `lock:`, or `nil`), the lock to store with the
    /// content — a python3 script's requirements, a TypeScript script's packages — or `nil` when
    /// it needs none.
    public typealias ScriptLocker = (ScriptLanguage, String, String?) throws -> String?

    /// Parses and checks a flow document as ``prepare(text:loadInline:policy:on:)`` does, stores
    /// it in its self-contained form with its inline scripts, and makes it the current version of
    /// `path`. `lockScript` gives the lock of each inline python3 or TypeScript script (`nil`:
    /// none), stored with that script's content.
    public func push(
        path: ScriptPath, text: String,
        loadInline: @escaping FlowParser.InlineLoader = { name in
            throw FlowFormatError(at: "", "no file to resolve '!inline \(name)'")
        }, lockScript: ScriptLocker = { _, _, _ in nil }, policy: PushPolicy = PushPolicy(), on connection: RedisConnection
    ) throws -> Pushed {
        try push(
            path: path, prepared: prepare(text: text, loadInline: loadInline, policy: policy, on: connection), lockScript: lockScript, on: connection)
    }

    /// Stores a prepared flow as the current version of `path` (see ``push(path:text:loadInline:lockScript:policy:on:)``).
    public func push(path: ScriptPath, prepared: Prepared, lockScript: ScriptLocker = { _, _, _ in nil }, on connection: RedisConnection)
        throws -> Pushed
    {
        let parsed = prepared.flow
        var inline: [String] = []
        var locks: [String: String] = [:]
        for module in parsed.definition.allModules {
            guard case .rawScript(let language, let content, _) = module.value else { continue }
            inline.append(content)
            if language != .bash, locks[ContentHash.of(content)] == nil,
                let lock = try lockScript(language, content, parsed.windmillLocks[content])
            {
                locks[ContentHash.of(content)] = lock
            }
        }
        let (hash, changed) = try flows.push(
            path: path, document: prepared.document, summary: parsed.definition.summary, inlineScripts: inline, locks: locks, on: connection)
        return Pushed(hash: hash, changed: changed, warnings: parsed.warnings, definition: parsed.definition)
    }

    // MARK: - Starting

    /// A new flow run.
    public struct Start: Sendable {
        public var id: JobID
        public var path: String
        public var input: JSONValue
        public var queue: String
        public var createdBy: String?
        public var environment: [String: String]
        public var maxDeliveries: Int
        /// Further fields of the flow's job hash a caller keeps with the run (a schedule's name and tick).
        public var extraFields: [(String, String)]
        /// The trigger delivery that starts the run: a repeat within its window starts nothing.
        public var delivery: Delivery?
        /// The event of the trigger that starts the run: a flow with a `preprocessor_module`
        /// runs it first on this event, and its result becomes the flow's input.
        public var event: JSONValue?
        /// The running job that starts the run through its channel, when one does: the run is
        /// created only while that job runs, within the call limits, and linked to it.
        public var call: CallLink?

        public init(
            id: JobID, path: String, input: JSONValue, queue: String = JobDefaults.queue, createdBy: String? = nil,
            environment: [String: String] = [:],
            maxDeliveries: Int = JobDefaults.maxDeliveries, extraFields: [(String, String)] = []
        ) {
            self.id = id
            self.path = path
            self.input = input
            self.queue = queue
            self.createdBy = createdBy
            self.environment = environment
            self.maxDeliveries = maxDeliveries
            self.extraFields = extraFields
        }
    }

    /// Starts the current version of the flow at `start.path`: checks the input against its
    /// schema (defaults filled in), then creates the run and queues its first step in one script
    /// call. Throws ``FlowStartError`` for a missing flow or invalid input.
    /// `version`, when given, is the flow version to start (as ``FlowStore/flow(at:on:)`` read it),
    /// saving a read for callers that start the same version many times.
    @discardableResult
    public func start(_ start: Start, version: StoredFlow? = nil, on connection: RedisConnection) throws -> JobID {
        try startDelivered(start, version: version, on: connection).id
    }

    /// Starts the run as ``start(_:version:on:)`` does — unless `start.delivery` started one
    /// within its window: then nothing is written and the answer is that run, `duplicate`.
    public func startDelivered(_ start: Start, version: StoredFlow? = nil, on connection: RedisConnection) throws -> (id: JobID, duplicate: Bool) {
        var decision = try startDecision(start, version: version, on: connection)
        decision.delivery = start.delivery
        decision.call = start.call
        do {
            _ = try flows.advance(decision, on: connection)
        } catch let duplicate as DuplicateDelivery {
            return (duplicate.run, true)
        }
        return (start.id, false)
    }

    /// The decision that starts a run — the flow's `create` operation and its first step — for a
    /// caller that applies it in a script of its own (a schedule's tick claims the tick and starts
    /// the flow in one step). Throws as ``start(_:version:on:)`` does; writes nothing.
    public func startDecision(_ start: Start, version: StoredFlow? = nil, on connection: RedisConnection) throws -> FlowAdvance {
        let (stored, stepper) =
            try version.map { ($0, try definitions.stepper(hash: $0.hash, flows: flows, on: connection)) }
            ?? flowVersion(at: start.path, on: connection)
        let preprocessing = start.event != nil && stepper.definition.preprocessorModule != nil
        let input = preprocessing ? start.input : try validated(start.input, for: stepper.definition)
        var decision = FlowAdvance(flow: start.id, creates: true)
        decision.operations = [
            .create(flow: start.id, fields: Self.flowFields(start, hash: stored.hash, input: input, sameWorker: stepper.definition.sameWorker))
        ]
        if let event = start.event, let preprocessor = stepper.definition.preprocessorModule {
            // A triggered run of a flow with a preprocessor: its first step shapes the event into
            // the input (checked against the schema only then, as it did not come from a caller).
            decision.operations = [
                .create(
                    flow: start.id,
                    fields: Self.flowFields(start, hash: stored.hash, input: ["event": event], sameWorker: stepper.definition.sameWorker)),
                .step(
                    StepCreation(
                        id: JobID.generate(), frame: FrameID.preprocessor.description, cursor: 0, attempt: 1,
                        template: Self.template(preprocessor))),
            ]
            return decision
        }
        decision.operations += firstOperations(flow: start.id, stepper: stepper, input: input, path: start.path)
        // The first steps carry what their scope needs read, so the worker that takes one with
        // `fetch_job` gets it in the same call (a flow's first step is never read ahead otherwise).
        let requests = prefetchRequests(decision.operations, flow: start.id, stepper: stepper)
        decision.operations = decision.operations.map { operation in
            guard case .step(var creation) = operation, let request = requests[creation.id] else { return operation }
            creation.template.fields += [FlowSnapshot.Request.stepField, request.prefetchJSON.jsonText]
            return .step(creation)
        }
        return decision
    }

    /// Checks `input` against the schema of the current version of the flow at `path` (defaults
    /// filled in), as starting it would. Throws ``FlowStartError``.
    @discardableResult
    public func checkInput(_ input: JSONValue, forFlowAt path: String, on connection: RedisConnection) throws -> JSONValue {
        try validated(input, for: try flowVersion(at: path, on: connection).1.definition)
    }

    /// The current version of a pushed flow with its stepper.
    func flowVersion(at path: String, on connection: RedisConnection) throws -> (StoredFlow, FlowStepper) {
        guard let stored = try flows.flow(at: path, on: connection) else { throw FlowStartError.noFlow(path) }
        do {
            return (stored, try definitions.stepper(hash: stored.hash, flows: flows, on: connection))
        } catch let error as RedisError {
            throw error
        } catch {
            throw FlowStartError.unreadable(path, "\(error)")
        }
    }

    /// `input` checked against `definition`'s input schema, defaults filled in; throws ``FlowStartError/invalidInput(_:)``.
    public func validated(_ input: JSONValue, for definition: FlowDefinition) throws -> JSONValue {
        guard let schema = definition.schema else {
            guard input.memberList != nil else { throw FlowStartError.invalidInput("flow_input: expected an object, got \(input.typeName)") }
            return input
        }
        do {
            return try JSONSchema(schema, lenient: true).validate(input)
        } catch let violation as SchemaViolation {
            throw FlowStartError.invalidInput("\(violation)")
        }
    }

    static func flowFields(_ start: Start, hash: String, input: JSONValue, parent: (flow: JobID, job: JobID)? = nil, sameWorker: Bool = false)
        -> [String]
    {
        typealias Field = JobRecord.Field
        var fields = [
            Field.id.rawValue, start.id.rawValue, Field.kind.rawValue, JobKind.flow.rawValue, Field.state.rawValue, JobState.running.rawValue,
            Field.queue.rawValue, start.queue, Field.path.rawValue, start.path, Field.flowHash.rawValue, hash, Field.arguments.rawValue,
            input.jsonText, Field.maxDeliveries.rawValue, String(start.maxDeliveries),
        ]
        if let createdBy = start.createdBy { fields += [Field.createdBy.rawValue, createdBy] }
        if !start.environment.isEmpty { fields += [Field.environment.rawValue, JSONValue(strings: start.environment).jsonText] }
        if let parent { fields += [Field.parentFlow.rawValue, parent.flow.rawValue, Field.parentJob.rawValue, parent.job.rawValue] }
        if sameWorker { fields += [Field.sameWorker.rawValue, "1"] }
        for (name, value) in start.extraFields { fields += [name, value] }
        return fields
    }

    /// The operations that begin a run: its first step, or its end for a flow without modules.
    func firstOperations(flow: JobID, stepper: FlowStepper, input: JSONValue, path: String) -> [FlowOperation] {
        guard let first = stepper.definition.modules.first else {
            return [.finish(flow: flow, state: .success, result: input, error: nil, skipped: false, eventID: JobID.generate())]
        }
        return [
            .step(
                StepCreation(flow: flow, id: JobID.generate(), frame: FrameID.main.description, cursor: 0, attempt: 1, template: Self.template(first))
            )
        ]
    }

    static func newIDs(_ count: Int) -> [JobID] {
        (0..<count).map { _ in JobID.generate() }
    }
}

/// Why a flow could not start.
public enum FlowStartError: Error, Sendable, CustomStringConvertible {
    case noFlow(String)
    case invalidInput(String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .noFlow(let path): HubPath.isHub(path) ? HubPath.notStored(path) : "no flow at '\(path)'"
        case .invalidInput(let message): "invalid input: \(message)"
        case .unreadable(let path, let message): "the flow at '\(path)' cannot be read: \(message)"
        }
    }
}

public import SluiceCore
public import SluiceFlows
public import SluiceRedis
public import SluiceStore

/// A flow step as a worker took it: where it is, the scope read for it, and how it starts.
public struct StepBeginning: Sendable {
    public let job: JobRecord
    public let flow: JobID
    public let frame: FrameID
    public let cursor: Int
    public let attempt: Int
    /// The module the step runs (nil when the flow version cannot be read).
    public let module: FlowModule?
    /// How the step starts: run (with its arguments), skipped, mocked, open a container, start a
    /// subflow, or fail.
    public internal(set) var start: StepStart
    /// Whether the step is still its frame's current one in a running flow (false: its flow ended
    /// or moved on; the step is only reported).
    public let isCurrent: Bool
    /// The secret values among the variables and resources resolved for the step: masked in what
    /// is recorded of it (its arguments, result, error and logs).
    public let secrets: SecretRedactor
    /// The variables and resources the step was refused (access rules), for its logs.
    public let refusals: [String]
    let stepper: FlowStepper?
    let scope: StepScope
    let flowFields: [String: String]
    let records: [String: JSONValue]

    /// The path of the step's flow.
    public var flowPath: String? { flowFields[JobRecord.Field.path.rawValue] }

    /// Whether the step's flow is `same_worker`: its steps share a `./shared` folder on this worker.
    public var sameWorker: Bool { flowFields[JobRecord.Field.sameWorker.rawValue] == "1" }

    /// Where the step's script keeps its state between runs (`get_state`/`set_state`):
    /// `<flow path>/<module id>`.
    public var statePath: String? {
        guard let flowPath, let module else { return nil }
        return flowPath + "/" + module.id
    }
}

extension FlowEngine {
    /// Reads what the step's module needs (one round trip; none but its references' with
    /// `prefetched`, the snapshot `advance_flow` read for it when it took the step) and decides
    /// how it starts.
    public func begin(_ job: JobRecord, prefetched: FlowSnapshot? = nil, on connection: RedisConnection) throws -> StepBeginning {
        guard let flow = job.flowID, let frame = job.frame.flatMap(FrameID.init), let cursor = job.cursor
        else {
            return StepBeginning(
                job: job, flow: job.flowID ?? job.id, frame: .main, cursor: 0, attempt: 1, module: nil,
                start: .failed("the step names no flow position"), isCurrent: false, secrets: SecretRedactor(), refusals: [], stepper: nil,
                scope: StepScope(flowInput: .emptyObject), flowFields: [:], records: [:])
        }
        let attempt = job.attempt
        let stepper: FlowStepper
        do {
            stepper = try definitions.stepper(hash: job.flowHash ?? "", flows: flows, on: connection)
        } catch let error as RedisError {
            throw error
        } catch {
            return StepBeginning(
                job: job, flow: flow, frame: frame, cursor: cursor, attempt: attempt, module: nil,
                start: .failed("cannot continue the flow: \(error)"), isCurrent: true, secrets: SecretRedactor(), refusals: [], stepper: nil,
                scope: StepScope(flowInput: .emptyObject), flowFields: [:], records: [:])
        }
        let read = try readScope(flow: flow, stepper: stepper, frame: frame, cursor: cursor, prefetched: prefetched, on: connection)
        let state = read.flowFields[JobRecord.Field.state.rawValue]
        let current =
            (state == "running" || state == "suspended")
            && read.records[frame.description]?[FrameRecord.Field.job.rawValue]?.stringValue == job.id.rawValue
        let start = current ? stepper.start(frame: frame, cursor: cursor, scope: read.scope) : .failed("the flow has ended or moved on")
        return StepBeginning(
            job: job, flow: flow, frame: frame, cursor: cursor, attempt: attempt, module: stepper.definition.module(in: frame, at: cursor),
            start: start, isCurrent: current, secrets: read.scope.secrets, refusals: read.refusals, stepper: stepper, scope: read.scope,
            flowFields: read.flowFields, records: read.records)
    }

    /// Whether `job` is a step whose module runs nothing — `identity` without a gate — as its
    /// flow's definition says, when this engine has read that definition already (false when it
    /// has not: the caller then takes the usual path). Decided without reading the step's scope.
    public func runsNothing(_ job: JobRecord) -> Bool {
        guard job.kind == .step, let hash = job.flowHash, let stepper = definitions.cached(hash: hash),
            let frame = job.frame.flatMap(FrameID.init), let cursor = job.cursor,
            let module = stepper.definition.module(in: frame, at: cursor)
        else { return false }
        return module.value == .identity && module.suspend == nil
    }

    /// How a step's run went, as the worker reports it.
    public struct StepReport: Sendable {
        public var outcome: JobOutcome
        public var logs: String
        public var skipped: Bool

        public init(outcome: JobOutcome, logs: String = "", skipped: Bool = false) {
            self.outcome = outcome
            self.logs = logs
            self.skipped = skipped
        }
    }

    /// Reports a step and moves its flow on, taking the worker's next job in the same call.
    /// For a container or subflow step, `report` is ignored: the step opens its children or
    /// starts the subflow and waits.
    public func finish(
        _ beginning: StepBeginning, report: StepReport, worker: String, next: JobStore.NextJob?, on connection: RedisConnection
    ) throws -> FlowStore.AdvanceResult {
        // What is recorded never holds a secret the step read: its arguments as run keep their
        // values for the script, the record masks them.
        var arguments: JSONValue?
        if case .run(let invocation) = beginning.start { arguments = beginning.secrets.redact(invocation.arguments) }
        var report = report
        report.outcome = beginning.secrets.redact(report.outcome)
        report.logs = beginning.secrets.redact(report.logs)
        if let refusal = Self.secretsKept(beginning) {
            report = StepReport(outcome: .failure(refusal), logs: report.logs)
        }
        var decision = FlowAdvance(flow: beginning.flow)
        decision.next = next.map { (worker, $0) }
        var beginning = beginning
        if let refusal = Self.secretsKept(beginning) { beginning.start = .failed(refusal) }
        guard beginning.isCurrent, let stepper = beginning.stepper else {
            decision.held = .init(job: beginning.job, worker: worker, ending: .finished(report.outcome), logs: report.logs, arguments: arguments)
            decision.guardState = .job(frame: beginning.frame.description, job: beginning.job.id)
            if beginning.stepper == nil, beginning.isCurrent {
                // The flow's definition cannot be read: it cannot go on.
                decision.operations = [.cancel(reason: Self.message(report.outcome), eventID: JobID.generate())]
            }
            return try flows.advance(decision, on: connection)
        }
        let place = Place(flow: beginning.flow, frame: beginning.frame, cursor: beginning.cursor, attempt: beginning.attempt, job: beginning.job.id)
        decision.guardState = .job(frame: beginning.frame.description, job: beginning.job.id)
        switch beginning.start {
        case .open(let opening):
            if let immediate = opening.immediateResult {
                decision.held = .init(job: beginning.job, worker: worker, ending: .finished(.success(immediate)))
                decision.operations = operations(
                    after: stepper.afterStep(
                        frame: place.frame, cursor: place.cursor, scope: beginning.scope, outcome: .success(immediate), attempt: place.attempt),
                    at: place, stepper: stepper, scope: beginning.scope, records: beginning.records)
            } else {
                decision.held = .init(job: beginning.job, worker: worker, ending: .waiting)
                decision.operations = openOperations(opening, at: place, stepper: stepper)
            }
        case .subflow(let path, let input):
            do {
                decision.operations = try subflowOperations(path: path, input: input, at: place, beginning: beginning, on: connection)
                decision.held = .init(job: beginning.job, worker: worker, ending: .waiting, arguments: input)
            } catch let error as RedisError {
                throw error
            } catch {
                let outcome = JobOutcome.failure("\(error)")
                decision.held = .init(job: beginning.job, worker: worker, ending: .finished(outcome), arguments: input)
                decision.operations = operations(
                    after: stepper.afterStep(
                        frame: place.frame, cursor: place.cursor, scope: beginning.scope, outcome: Self.stepOutcome(outcome), attempt: place.attempt,
                        unitRandom: Double.random(in: 0..<1)),
                    at: place, stepper: stepper, scope: beginning.scope, records: beginning.records)
            }
        case .run, .skipped, .mocked, .failed:
            decision.held = .init(
                job: beginning.job, worker: worker, ending: .finished(report.outcome), logs: report.logs, arguments: arguments,
                skipped: report.skipped)
            let followUp = stepper.afterStep(
                frame: place.frame, cursor: place.cursor, scope: beginning.scope, outcome: Self.stepOutcome(report.outcome), attempt: place.attempt,
                unitRandom: Double.random(in: 0..<1))
            decision.operations = operations(after: followUp, at: place, stepper: stepper, scope: beginning.scope, records: beginning.records)
            if case .success(let value) = report.outcome, let ttl = beginning.module?.cacheTTL, let key = cacheKey(beginning) {
                decision.operations.insert(.cache(key: key, value: value, seconds: ttl), at: 0)
            }
        }
        if next != nil { decision.prefetch = prefetchRequests(decision.operations, flow: beginning.flow, stepper: stepper) }
        if let module = beginning.module, module.suspend == nil { decision.held?.gated = false }
        decision.held?.bare = Self.ranNoProcess(beginning)
        return try flows.advance(decision, on: connection)
    }

    /// The scope reads of the steps `operations` create in `flow` to run now (at most
    /// ``prefetchLimit``; a loop's or branch's children are created by Redis and are not among
    /// them), for `advance_flow` to make when it takes one of them as the worker's next job.
    func prefetchRequests(_ operations: [FlowOperation], flow: JobID, stepper: FlowStepper) -> [JobID: FlowSnapshot.Request] {
        var requests: [JobID: FlowSnapshot.Request] = [:]
        for case .step(let creation) in operations where (creation.flow ?? flow) == flow && creation.delayMilliseconds == 0 {
            guard requests.count < Self.prefetchLimit, let frame = FrameID(creation.frame) else { continue }
            requests[creation.id] = scopePlan(flow: flow, stepper: stepper, frame: frame, cursor: creation.cursor).request
        }
        return requests
    }

    /// Whether no process ever ran for the step's job: its first delivery, and a start that runs
    /// none (an identity module, a skip, a mock, a failed start, a container or subflow opened).
    static func ranNoProcess(_ beginning: StepBeginning) -> Bool {
        guard beginning.job.deliveries == 1 else { return false }
        switch beginning.start {
        case .run: return beginning.module?.value == .identity
        case .skipped, .mocked, .failed, .open, .subflow: return true
        }
    }

    /// How many created steps one decision asks `advance_flow` to read ahead for.
    static let prefetchLimit = 4

    /// Why a step that starts a subflow cannot: its input, which Redis would keep as the subflow's
    /// `flow_input`, holds a secret it read. `nil` when it does not. (A loop's elements cannot hold
    /// one: an iterator is a decision, and decisions never hold secrets — ``FlowStepper``.)
    static func secretsKept(_ beginning: StepBeginning) -> String? {
        guard !beginning.secrets.isEmpty else { return nil }
        switch beginning.start {
        case .subflow(let path, let input) where beginning.secrets.reveals(input):
            return "module '\(beginning.module?.id ?? "?")': the input of subflow \(path) holds a secret value, and it would be kept in Redis; "
                + "pass the variable's path and read it inside the subflow"
        default:
            return nil
        }
    }

    /// Creates the pending gate of a gated step about to run its script. Returns its secret, or
    /// nil when the step is no longer this worker's.
    public func openPendingGate(_ beginning: StepBeginning, gate: GateSpec, worker: String, on connection: RedisConnection) throws -> String? {
        let secret = GateSecret.generate()
        typealias Field = GateRecord.Field
        var fields = [
            Field.moduleID.rawValue, beginning.module?.id ?? "", Field.secret.rawValue, secret, Field.timeoutSeconds.rawValue,
            String(gate.settings.timeoutSeconds),
        ]
        let settings = gate.settings
        // Only what differs from the defaults is stored: thousands of gates may be open at once.
        if settings.requiredEvents != 1 { fields += [Field.required.rawValue, String(settings.requiredEvents)] }
        if settings.continueOnDisapproveTimeout { fields += [Field.continueOnDisapproveTimeout.rawValue, "1"] }
        if settings.selfApprovalDisabled { fields += [Field.selfApprovalDisabled.rawValue, "1"] }
        if settings.userAuthRequired { fields += [Field.userAuthRequired.rawValue, "1"] }
        if settings.hideCancel { fields += [Field.hideCancel.rawValue, "1"] }
        if !gate.requiredGroups.isEmpty { fields += [Field.groups.rawValue, JSONValue.array(gate.requiredGroups.map { .string($0) }).jsonText] }
        if !gate.flowSummary.isEmpty { fields += [Field.flowSummary.rawValue, gate.flowSummary] }
        if !gate.moduleSummary.isEmpty { fields += [Field.moduleSummary.rawValue, gate.moduleSummary] }
        if let schema = settings.resumeFormSchema { fields += [Field.form.rawValue, schema.jsonText] }
        if let createdBy = beginning.flowFields[JobRecord.Field.createdBy.rawValue] { fields += [Field.createdBy.rawValue, createdBy] }
        if let path = beginning.flowPath { fields += [Field.flowPath.rawValue, path] }
        if !beginning.frame.isTopLevel { fields += [Field.frame.rawValue, beginning.frame.description] }
        if let iteration = beginning.scope.iteration { fields += [Field.iteration.rawValue, String(iteration.index)] }
        guard try flows.openPendingGate(step: beginning.job, flow: beginning.flow, worker: worker, fields: fields, on: connection) else {
            return nil
        }
        return try GateStore(keys: keys).gate(beginning.job.id, history: false, on: connection)?.secret
    }

    /// A cached result for the step's inputs (`cache_ttl`), if one is still alive.
    public func cachedResult(_ beginning: StepBeginning, on connection: RedisConnection) throws -> JSONValue? {
        guard beginning.module?.cacheTTL != nil, let key = cacheKey(beginning) else { return nil }
        return try connection.send(["GET", .string(key)]).string.flatMap { try? JSONValue(parsing: $0) }
    }

    /// `P:cache:<sha256>` of the flow path, the module, what it runs and its arguments.
    func cacheKey(_ beginning: StepBeginning) -> String? {
        guard case .run(let invocation) = beginning.start, let module = beginning.module else { return nil }
        let what = beginning.job.scriptHash ?? beginning.job.path ?? module.value.typeName
        let material = [beginning.flowPath ?? "", module.id, what, invocation.arguments.jsonText].joined(separator: "\u{1F}")
        return keys.cachedResult(ContentHash.of(material))
    }

    static func stepOutcome(_ outcome: JobOutcome) -> StepOutcome {
        switch outcome {
        case .success(let value): .success(value)
        case .failure(let message): .failure(message)
        }
    }

    static func message(_ outcome: JobOutcome) -> String {
        switch outcome {
        case .success: "the flow cannot go on"
        case .failure(let message): message
        }
    }
}

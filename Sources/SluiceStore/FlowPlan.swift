public import SluiceCore
public import SluiceFlows
import SluiceRedis

/// One flow decision in the form `advance_flow` applies: what to create, record, set, queue or
/// finish, made from a ``FlowTransition`` by ``init(transition:flowID:expectVersion:context:)``.
public struct FlowPlan: Sendable {
    /// The job a worker holds and reports with this plan (a step or a flow event), fenced.
    public struct HeldJob: Sendable {
        public var id: JobID
        public var kind: JobKind
        public var worker: String
        public var delivery: Int
        public var outcome: JobOutcome
        public var logs: String

        public init(job: JobRecord, worker: String, outcome: JobOutcome, logs: String) {
            id = job.id
            kind = job.kind
            self.worker = worker
            delivery = job.deliveries
            self.outcome = outcome
            self.logs = logs
        }
    }

    /// What new steps inherit from their flow.
    public struct Context: Sendable {
        public var queue: String
        public var createdBy: String?
        public var environment: [String: String]
        public var maxDeliveries: Int
        public var flowPath: String?

        public init(queue: String, createdBy: String?, environment: [String: String] = [:], maxDeliveries: Int = 3, flowPath: String? = nil) {
            self.queue = queue
            self.createdBy = createdBy
            self.environment = environment
            self.maxDeliveries = maxDeliveries
            self.flowPath = flowPath
        }

        public init(flow job: JobRecord) {
            self.init(queue: job.queue, createdBy: job.createdBy, environment: job.environment, maxDeliveries: job.maxDeliveries, flowPath: job.path)
        }
    }

    public var flowID: JobID
    public var expectVersion: Int
    /// Fields of the flow's hash, when this plan starts the flow.
    public var create: [String]?
    public var held: HeldJob?
    public var next: JobStore.NextJob?
    public var worker: String?
    /// The id the new step gets, if the plan queues one.
    public private(set) var stepID: JobID?
    private var record: (String, JSONValue)?
    private var set: [(String, String)] = []
    private var step: [String: JSONValue]?
    private var park: [String: JSONValue]?
    private var finish: [String: JSONValue]?

    /// The plan for `transition` of the flow `flowID`, which must still be at `expectVersion`.
    public init(transition: FlowTransition, flowID: JobID, expectVersion: Int, context: Context, now: UInt64) {
        self.flowID = flowID
        self.expectVersion = expectVersion
        record = transition.recorded
        let state = transition.state
        set = [
            ("cursor", state.position.description), ("attempt", String(state.attempt)),
            ("resume", state.resume?.json.jsonText ?? ""), ("failure", state.failure ?? ""), ("failed_module", state.failedModuleID ?? ""),
        ]
        switch transition.decision {
        case .runStep(let plan):
            let id = JobID(milliseconds: now)
            stepID = id
            step = [
                "id": .string(id.rawValue), "queue": .string(context.queue), "delay_ms": .number(Double(plan.delay.wholeMilliseconds)),
                "fields": .array(Self.stepFields(plan, flowID: flowID, context: context).map { .string($0) }),
            ]
            if let gate = plan.gate {
                step?["gate"] = .array(Self.gateFields(gate, moduleID: plan.moduleID, context: context).map { .string($0) })
            }
        case .suspend(let gate):
            park = [
                "timeout_ms": .number(Double(gate.settings.timeoutSeconds) * 1000), "page": .string(gate.page.jsonText),
                "event_id": .string(JobID(milliseconds: now).rawValue),
            ]
        case .finish(let ending):
            switch ending {
            case .success(let result, let skipped):
                finish = ["state": "success", "result": .string(result.jsonText), "skipped": .bool(skipped)]
            case .failure(let message):
                finish = ["state": "failure", "error": .string(message)]
            case .canceled(let message):
                finish = ["state": "canceled", "error": .string(message)]
            }
        }
    }

    /// A plan that only reports the held job and moves no flow (expected version -1 never matches):
    /// for a step whose flow has ended or is gone.
    public init(reportingOnly flowID: JobID) {
        self.flowID = flowID
        expectVersion = -1
    }

    /// The pending gate's hash fields: its rules (known before any approval arrives), what the
    /// approval page shows, and the secret its links are derived from.
    static func gateFields(_ gate: GateSpec, moduleID: String, context: Context) -> [String] {
        let settings = gate.settings
        // Only what differs from the defaults is stored: thousands of gates may be open at once.
        var fields = ["module_id", moduleID, "secret", GateSecret.generate(), "timeout_seconds", String(settings.timeoutSeconds)]
        if settings.requiredEvents != 1 { fields += ["required", String(settings.requiredEvents)] }
        if settings.continueOnDisapproveTimeout { fields += ["continue_on_disapprove_timeout", "1"] }
        if settings.selfApprovalDisabled { fields += ["self_approval_disabled", "1"] }
        if settings.userAuthRequired { fields += ["user_auth_required", "1"] }
        if settings.hideCancel { fields += ["hide_cancel", "1"] }
        if !gate.requiredGroups.isEmpty { fields += ["groups", JSONValue.array(gate.requiredGroups.map { .string($0) }).jsonText] }
        if !gate.flowSummary.isEmpty { fields += ["flow_summary", gate.flowSummary] }
        if !gate.moduleSummary.isEmpty { fields += ["module_summary", gate.moduleSummary] }
        if let schema = settings.resumeFormSchema { fields += ["form", schema.jsonText] }
        if let createdBy = context.createdBy { fields += ["created_by", createdBy] }
        if let flowPath = context.flowPath { fields += ["flow_path", flowPath] }
        return fields
    }

    static func stepFields(_ plan: StepPlan, flowID: JobID, context: Context) -> [String] {
        typealias Field = JobRecord.Field
        var fields = [
            Field.kind, JobKind.step.rawValue, Field.flowID, flowID.rawValue, "module_id", plan.moduleID, "cursor", plan.position.description,
            "attempt", String(plan.attempt), Field.arguments, plan.arguments.jsonText, Field.maxDeliveries, String(context.maxDeliveries),
        ]
        switch plan.run {
        case .identity:
            fields += ["module_type", "identity"]
        case .script(let path):
            fields += ["module_type", "script", Field.path, path]
        case .rawScript(let language, let content):
            fields += ["module_type", "rawscript", Field.scriptHash, ContentHash.of(content), Field.language, language.rawValue]
            if let flowPath = context.flowPath { fields += [Field.path, flowPath + "/" + plan.moduleID] }
        }
        if let timeout = plan.timeoutSeconds { fields += [Field.timeout, String(timeout)] }
        if let createdBy = context.createdBy { fields += [Field.createdBy, createdBy] }
        if !context.environment.isEmpty { fields += [Field.environment, JSONValue(strings: context.environment).jsonText] }
        return fields
    }

    func json(settings: StoreSettings) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("flow_id", .string(flowID.rawValue)), ("expect_version", .number(Double(expectVersion))),
            ("retention", .number(Double(settings.retentionSeconds))), ("cap", .number(Double(settings.finishedIndexCap))),
        ]
        if let create { members.append(("create", .array(create.map { .string($0) }))) }
        if let held {
            let state: String
            let payload: String
            switch held.outcome {
            case .success(let value):
                state = "success"
                payload = value.jsonText
            case .failure(let message):
                state = "failure"
                payload = message
            }
            members.append(
                (
                    "complete",
                    JSONValue(members: [
                        ("id", .string(held.id.rawValue)), ("kind", .string(held.kind.rawValue)), ("worker", .string(held.worker)),
                        ("delivery", .number(Double(held.delivery))), ("state", .string(state)), ("payload", .string(payload)),
                        ("logs", .string(held.logs)),
                    ])
                ))
        }
        if let record { members.append(("record", ["module": .string(record.0), "result": .string(record.1.jsonText)])) }
        if !set.isEmpty { members.append(("set", JSONValue(members: set.map { ($0.0, .string($0.1)) }))) }
        if let step { members.append(("step", JSONValue(members: step.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))) }
        if let park {
            let gate: JSONValue = .string(held?.id.rawValue ?? "")
            members.append(("park", JSONValue(members: park.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + [("gate", gate)])))
        }
        if let finish {
            members.append(
                ("finish", JSONValue(members: finish.sorted { $0.key < $1.key }.filter { $0.value != .bool(false) }.map { ($0.key, $0.value) })))
        }
        if let next, let worker {
            members.append(
                (
                    "next",
                    [
                        "worker": .string(worker), "lease_ms": .number(Double(next.leaseMilliseconds)),
                        "queues": .array(next.queues.map { .string($0) }),
                    ]
                ))
        }
        return JSONValue(members: members)
    }
}

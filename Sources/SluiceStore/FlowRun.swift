public import SluiceCore
public import SluiceFlows
public import SluiceRedis

/// Starting flows and rebuilding a run's ``FlowState`` from what Redis holds.
public struct FlowRun: Sendable {
    public let flows: FlowStore

    public init(flows: FlowStore) {
        self.flows = flows
    }

    /// The options of a new flow run.
    public struct Start: Sendable {
        public var id: JobID
        public var path: String
        public var input: JSONValue
        public var queue: String
        public var createdBy: String?
        public var environment: [String: String]
        public var maxDeliveries: Int

        public init(
            id: JobID, path: String, input: JSONValue, queue: String = "default", createdBy: String? = nil,
            environment: [String: String] = [:], maxDeliveries: Int = 3
        ) {
            self.id = id
            self.path = path
            self.input = input
            self.queue = queue
            self.createdBy = createdBy
            self.environment = environment
            self.maxDeliveries = maxDeliveries
        }
    }

    /// Creates the flow's job and queues its first step (or finishes it at once), in one script call.
    /// `input` must already be validated against the flow's schema.
    public func start(_ options: Start, flow: StoredFlow, stepper: FlowStepper, on connection: RedisConnection) throws(RedisError) {
        typealias Field = JobRecord.Field
        let transition = stepper.start(input: options.input, createdBy: options.createdBy)
        let context = FlowPlan.Context(
            queue: options.queue, createdBy: options.createdBy, environment: options.environment, maxDeliveries: options.maxDeliveries,
            flowPath: options.path)
        var plan = FlowPlan(transition: transition, flowID: options.id, expectVersion: 0, context: context, now: options.id.milliseconds)
        var create = [
            Field.id, options.id.rawValue, Field.kind, JobKind.flow.rawValue, Field.state, JobState.running.rawValue, Field.queue, options.queue,
            Field.path, options.path, "flow_hash", flow.hash, Field.arguments, options.input.jsonText, Field.maxDeliveries,
            String(options.maxDeliveries),
        ]
        if let createdBy = options.createdBy { create += [Field.createdBy, createdBy] }
        if !options.environment.isEmpty { create += [Field.environment, JSONValue(strings: options.environment).jsonText] }
        plan.create = create
        _ = try flows.advance(plan, on: connection)
    }

    /// Rebuilds the state decisions are made from.
    public static func state(of run: FlowStore.RunState, definition: FlowDefinition) -> FlowState {
        let position = run.cursor.flatMap(FlowPosition.init) ?? .step(0)
        var ordered: [(String, JSONValue)] = []
        for module in definition.modules + [definition.failureModule].compactMap({ $0 }) {
            if let result = run.results[module.id] { ordered.append((module.id, result)) }
        }
        let failure = run.job.extra["failure"]
        let failedModule = run.job.extra["failed_module"]
        let resume = run.job.extra["resume"].flatMap { try? JSONValue(parsing: $0) }.flatMap(ResumeContext.init(json:))
        var previous = run.job.arguments
        switch position {
        case .step(let index) where index > 0 && index <= definition.modules.count:
            previous = run.results[definition.modules[index - 1].id] ?? .null
        case .failureModule:
            previous = ["name": "FlowError", "message": .string(failure ?? ""), "step_id": .string(failedModule ?? "")]
        default:
            break
        }
        return FlowState(
            flowInput: run.job.arguments, results: ordered, position: position, attempt: run.attempt, previousResult: previous,
            resume: resume, failure: failure, failedModuleID: failedModule, createdBy: run.job.createdBy)
    }
}

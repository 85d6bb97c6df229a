public import SluiceCore

/// Decides what happens next in a flow — after it starts, after a step, after a gate — as a pure
/// function of the flow's definition, its state and the event. Nothing here touches Redis; the
/// store applies a ``FlowTransition`` with one script that checks the flow is still in the state
/// the decision was made from.
public struct FlowStepper: Sendable {
    public let definition: FlowDefinition
    public let evaluator: any ExpressionEvaluator

    public init(definition: FlowDefinition, evaluator: any ExpressionEvaluator) {
        self.definition = definition
        self.evaluator = evaluator
    }

    /// The first step of a new flow (or its end, for a flow without modules).
    public func start(input: JSONValue, createdBy: String?) -> FlowTransition {
        let state = FlowState(flowInput: input, createdBy: createdBy)
        guard !definition.modules.isEmpty else {
            return FlowTransition(decision: .finish(.success(input, skipped: false)), state: state)
        }
        return plan(.step(0), attempt: 1, state: state, delay: .zero)
    }

    /// What follows a step's end. `unitRandom` (0..<1) picks the retry jitter.
    public func afterStep(state: FlowState, event: StepEvent, unitRandom: Double = 0.5) -> FlowTransition {
        guard let module = definition.module(at: state.position) else {
            return FlowTransition(decision: .finish(.failure("the flow has no module at \(state.position)")), state: state)
        }
        switch event {
        case .failed(let message):
            return afterFailure(module: module, state: state, message: message, unitRandom: unitRandom)
        case .succeeded(let result):
            return afterSuccess(module: module, state: state, result: result)
        }
    }

    /// What follows a gate's decision, for the module that parked the flow.
    public func afterGate(state: FlowState, outcome: GateOutcome) -> FlowTransition {
        guard let module = definition.module(at: state.position), let settings = module.suspend else {
            return FlowTransition(decision: .finish(.failure("the flow is not at a gate")), state: state)
        }
        var next = state
        switch outcome {
        case .approved(let context):
            next.resume = context
        case .rejected(let approver, let reason, let context):
            guard settings.continueOnDisapproveTimeout else {
                let why = reason.map { ": \($0)" } ?? ""
                return FlowTransition(decision: .finish(.canceled("disapproved by \(approver)\(why)")), state: state)
            }
            next.resume = ResumeContext(resume: ResumeContext.disapproved(by: approver), resumes: context.resumes, approvers: context.approvers)
        case .timedOut(let context):
            guard settings.continueOnDisapproveTimeout else {
                return FlowTransition(decision: .finish(.canceled("timed out waiting to be resumed")), state: state)
            }
            next.resume = ResumeContext(resume: ResumeContext.timedOut, resumes: context.resumes, approvers: context.approvers)
        }
        let result = state.results.last { $0.0 == module.id }?.1 ?? .null
        return advance(after: module, state: next, result: result)
    }

    // MARK: - After a step

    private func afterSuccess(module: FlowModule, state: FlowState, result: JSONValue) -> FlowTransition {
        var next = state
        next.results.removeAll { $0.0 == module.id }
        next.results.append((module.id, result))
        if state.position == .failureModule {
            // The failure module ran; the flow still ends as failed, with the original error.
            return FlowTransition(decision: .finish(.failure(state.failure ?? "the flow failed")), state: next, recorded: (module.id, result))
        }
        if let stop = module.stopAfterIf {
            do {
                if try truthy(evaluate(stop.expression, scope: scope(next, extra: ["result": result]))) {
                    let ending: FlowEnding = stop.errorMessage.map { .failure($0) } ?? .success(result, skipped: stop.skipIfStopped)
                    return FlowTransition(decision: .finish(ending), state: next, recorded: (module.id, result))
                }
            } catch {
                return failFlow(state: next, message: "module '\(module.id)', stop_after_if: \(error)", recorded: (module.id, result))
            }
        }
        if let settings = module.suspend {
            var page: [(String, JSONValue)] = []
            for key in ["description", "default_args", "enums"] {
                if let value = result[key], !value.isNull { page.append((key, value)) }
            }
            let gate = GatePlan(position: state.position, moduleID: module.id, settings: settings, page: JSONValue(members: page))
            return FlowTransition(decision: .suspend(gate), state: next, recorded: (module.id, result))
        }
        var transition = advance(after: module, state: next, result: result)
        transition.recorded = (module.id, result)
        return transition
    }

    private func afterFailure(module: FlowModule, state: FlowState, message: String, unitRandom: Double) -> FlowTransition {
        if let retry = module.retry, let delay = retry.delay(beforeRetry: state.attempt, unitRandom: unitRandom) {
            return plan(state.position, attempt: state.attempt + 1, state: state, delay: delay)
        }
        let attempts = state.attempt > 1 ? " after \(state.attempt) attempts" : ""
        return failFlow(state: state, message: "module '\(module.id)' failed\(attempts): \(message)")
    }

    /// Moves on from `module` (after its sleep, if any) to the next module, or ends the flow.
    private func advance(after module: FlowModule, state: FlowState, result: JSONValue) -> FlowTransition {
        guard case .step(let index) = state.position else {
            return FlowTransition(decision: .finish(.failure(state.failure ?? "the flow failed")), state: state)
        }
        var delay = Duration.zero
        if let sleep = module.sleep {
            do {
                delay = try sleepDuration(sleep, state: state, result: result)
            } catch {
                return failFlow(state: state, message: "module '\(module.id)', sleep: \(error)")
            }
        }
        guard index + 1 < definition.modules.count else {
            return FlowTransition(decision: .finish(.success(result, skipped: false)), state: state)
        }
        var next = state
        next.previousResult = result
        return plan(.step(index + 1), attempt: 1, state: next, delay: delay)
    }

    /// Ends the flow as failed — through its failure module when it has one and is not in it.
    private func failFlow(state: FlowState, message: String, recorded: (String, JSONValue)? = nil) -> FlowTransition {
        guard definition.failureModule != nil, state.position != .failureModule else {
            return FlowTransition(decision: .finish(.failure(message)), state: state, recorded: recorded)
        }
        var next = state
        next.failure = message
        next.failedModuleID = definition.module(at: state.position)?.id
        next.previousResult = errorObject(message, moduleID: next.failedModuleID)
        var transition = plan(.failureModule, attempt: 1, state: next, delay: .zero)
        transition.recorded = recorded
        return transition
    }

    /// What the failure module sees as `error` (and as `previous_result`).
    public func errorObject(_ message: String, moduleID: String?) -> JSONValue {
        ["name": "FlowError", "message": .string(message), "step_id": .string(moduleID ?? "")]
    }

    // MARK: - Planning a step

    /// The job for the module at `position`, its arguments evaluated now.
    func plan(_ position: FlowPosition, attempt: Int, state: FlowState, delay: Duration) -> FlowTransition {
        guard let module = definition.module(at: position) else {
            return FlowTransition(decision: .finish(.failure("the flow has no module at \(position)")), state: state)
        }
        var next = state
        next.position = position
        next.attempt = attempt
        let arguments: JSONValue
        do {
            arguments = try evaluateArguments(module, state: next)
        } catch {
            if position == .failureModule {
                return FlowTransition(decision: .finish(.failure(state.failure ?? "\(error)")), state: next)
            }
            return failFlow(state: next, message: "module '\(module.id)': \(error)")
        }
        let run: StepRun
        switch module.value {
        case .identity: run = .identity
        case .script(let path, _): run = .script(path: path)
        case .rawScript(let language, let content, _): run = .rawScript(language: language, content: content)
        }
        var gate: GateSpec?
        if let settings = module.suspend {
            do {
                gate = GateSpec(
                    settings: settings, requiredGroups: try requiredGroups(settings, state: next), flowSummary: definition.summary,
                    moduleSummary: module.summary)
            } catch {
                return failFlow(state: next, message: "module '\(module.id)', user_groups_required: \(error)")
            }
        }
        let step = StepPlan(
            position: position, moduleID: module.id, attempt: attempt, arguments: arguments, delay: delay, run: run,
            timeoutSeconds: module.timeoutSeconds, gate: gate)
        return FlowTransition(decision: .runStep(step), state: next)
    }

    private func evaluateArguments(_ module: FlowModule, state: FlowState) throws -> JSONValue {
        if case .identity = module.value { return state.previousResult }
        var arguments: [(String, JSONValue)] = []
        var variables = scope(state)
        for named in module.value.inputTransforms {
            variables["params"] = .some(JSONValue(members: arguments))
            let value: JSONValue?
            switch named.transform {
            case .staticValue(let constant):
                value = constant
            case .javascript(let source):
                do {
                    value = try evaluator.evaluate(source, variables: variables)
                } catch {
                    throw FlowRuntimeError("argument '\(named.name)' (\(source)): \(error)")
                }
            }
            // `undefined` leaves the argument out, as JSON.stringify would.
            if let value { arguments.append((named.name, value)) }
        }
        return JSONValue(members: arguments)
    }

    // MARK: - Expressions

    func scope(_ state: FlowState, extra: [String: JSONValue] = [:]) -> [String: JSONValue?] {
        var variables: [String: JSONValue?] = [
            "flow_input": .some(state.flowInput),
            "results": .some(state.resultsObject),
            "previous_result": .some(state.previousResult),
            "params": .some(.emptyObject),
            "resume": state.resume?.resume,
            "resumes": state.resume.map { JSONValue.array($0.resumes) },
            "approvers": state.resume.map { JSONValue.array($0.approvers.map { .string($0) }) },
        ]
        if let failure = state.failure { variables["error"] = .some(errorObject(failure, moduleID: state.failedModuleID)) }
        for (name, value) in extra { variables[name] = .some(value) }
        return variables
    }

    private func evaluate(_ source: String, scope: [String: JSONValue?]) throws -> JSONValue? {
        try evaluator.evaluate(source, variables: scope)
    }

    private func sleepDuration(_ sleep: InputTransform, state: FlowState, result: JSONValue) throws -> Duration {
        let value: JSONValue?
        switch sleep {
        case .staticValue(let constant): value = constant
        case .javascript(let source): value = try evaluate(source, scope: scope(state, extra: ["result": result]))
        }
        guard let seconds = value?.numberValue, seconds.isFinite, seconds >= 0 else {
            throw FlowRuntimeError("expected a number of seconds, got \(value?.jsonText ?? "undefined")")
        }
        return .milliseconds(Int64((min(seconds, 365 * 24 * 3600) * 1000).rounded()))
    }

    /// `user_groups_required`, evaluated when the gated module is planned (with `flow_input`,
    /// `results` and `previous_result` in scope), so every rule is known before approvals arrive.
    private func requiredGroups(_ settings: SuspendSettings, state: FlowState) throws -> [String] {
        guard let transform = settings.userGroupsRequired else { return [] }
        let value: JSONValue?
        switch transform {
        case .staticValue(let constant): value = constant
        case .javascript(let source): value = try evaluate(source, scope: scope(state))
        }
        switch value {
        case .none, .null?: return []
        case .string(let group)?: return [group]
        case .array(let elements)?:
            let groups = elements.compactMap(\.stringValue)
            guard groups.count == elements.count else { throw FlowRuntimeError("expected a list of group names") }
            return groups
        case let other?: throw FlowRuntimeError("expected a list of group names, got \(other.typeName)")
        }
    }

    private func truthy(_ value: JSONValue?) -> Bool {
        switch value {
        case .none, .null?: false
        case .bool(let bool)?: bool
        case .number(let number)?: number != 0 && !number.isNaN
        case .string(let string)?: !string.isEmpty
        case .array?, .object?: true
        }
    }
}

/// The decision and the flow's state after it.
public struct FlowTransition: Sendable, Equatable {
    public var decision: FlowDecision
    public var state: FlowState
    /// The finished module's result to record under its id, if this transition records one.
    public var recorded: (String, JSONValue)?

    public init(decision: FlowDecision, state: FlowState, recorded: (String, JSONValue)? = nil) {
        self.decision = decision
        self.state = state
        self.recorded = recorded
    }

    public static func == (lhs: FlowTransition, rhs: FlowTransition) -> Bool {
        lhs.decision == rhs.decision && lhs.state == rhs.state && lhs.recorded?.0 == rhs.recorded?.0 && lhs.recorded?.1 == rhs.recorded?.1
    }
}

/// How a step ended.
public enum StepEvent: Sendable, Equatable {
    case succeeded(JSONValue)
    case failed(String)
}

/// How a gate was decided.
public enum GateOutcome: Sendable, Equatable {
    case approved(ResumeContext)
    case rejected(by: String, reason: String?, ResumeContext)
    case timedOut(ResumeContext)
}

/// A problem running a flow (an expression that fails, a bad sleep value), with a message for people.
public struct FlowRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) {
        self.description = description
    }
}

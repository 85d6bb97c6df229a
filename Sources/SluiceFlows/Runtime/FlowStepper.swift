public import SluiceCore

/// Decides what happens in a flow — as a step starts, after it ends, after a gate, when a loop's
/// or branch's child ends, when a container is done — as pure functions of the flow's definition,
/// the scope read for the module, and the event. Nothing here touches Redis: the flow runtime
/// reads the scope, asks, and applies the answer with one script that checks the state it expects.
public struct FlowStepper: Sendable {
    public let definition: FlowDefinition
    public let evaluator: any ExpressionEvaluator
    let index: DefinitionIndex

    /// What the stepper precomputes about a definition: where each module sits, what its
    /// expressions read, and the top-level module ids in order (the legacy `step(i)`).
    struct DefinitionIndex: Sendable {
        var locations: [String: ModuleLocation]
        var reads: [String: ModuleReads]
        var steps: JSONValue
    }

    public init(definition: FlowDefinition, evaluator: any ExpressionEvaluator) {
        self.definition = definition
        self.evaluator = evaluator
        var reads: [String: ModuleReads] = [:]
        for module in definition.allModules { reads[module.id] = ModuleReads(module) }
        index = DefinitionIndex(locations: definition.locations, reads: reads, steps: .array(definition.modules.map { .string($0.id) }))
    }

    // MARK: - Starting a step

    /// How the module at `cursor` of `frame` starts, its expressions evaluated against `scope`.
    public func start(frame: FrameID, cursor: Int, scope: StepScope) -> StepStart {
        let scope = Self.positioned(scope, frame: frame, cursor: cursor)
        guard let module = definition.module(in: frame, at: cursor) else {
            return .failed("the flow has no module at \(frame) #\(cursor)")
        }
        if let unsupported = module.unsupported {
            return .failed("module '\(module.id)' cannot run in Sluice: \(unsupported) (the flow was pushed with --allow-unsupported)")
        }
        if let skip = module.skipIf {
            do {
                // A skipped module passes its input through, as Windmill's does.
                if try truthy(decide(skip, scope: scope)) { return .skipped(scope.previousResult) }
            } catch {
                return .failed("module '\(module.id)', skip_if: \(error)")
            }
        }
        if let mock = module.mock { return .mocked(mock) }
        switch module.value {
        case .identity, .rawScript, .script:
            do {
                // A preprocessor gets the trigger's event as it came (`{event}`, the run's input until it answers).
                let arguments =
                    frame.root == .preprocessor
                    ? scope.flowInput : module.value == .identity ? scope.previousResult : try evaluateArguments(module, scope: scope)
                let timeout = try timeoutSeconds(module, scope: scope)
                var gate: GateSpec?
                if let settings = module.suspend {
                    gate = GateSpec(
                        settings: settings, requiredGroups: try requiredGroups(settings, scope: scope), flowSummary: definition.summary,
                        moduleSummary: module.summary)
                }
                return .run(StepInvocation(arguments: arguments, timeoutSeconds: timeout, gate: gate))
            } catch {
                return .failed("module '\(module.id)': \(error)")
            }
        case .flow(let path, _):
            do {
                return .subflow(path: path, input: try evaluateArguments(module, scope: scope))
            } catch {
                return .failed("module '\(module.id)': \(error)")
            }
        case .forLoop(let loop):
            return openForLoop(loop, module: module, scope: scope)
        case .whileLoop(let loop):
            return .open(
                ContainerOpening(
                    collection: .array, children: [], parallelism: 1, previous: scope.previousResult,
                    toleratesEveryFailure: loop.skipFailures, maximumIterations: loop.maximumIterations))
        case .branchOne(let branches):
            var chosen = branches.branches.count
            for (number, branch) in branches.branches.enumerated() {
                do {
                    if try truthy(decide(branch.expression, scope: scope)) {
                        chosen = number
                        break
                    }
                } catch {
                    return .failed("module '\(module.id)', branch \(number) expr (\(branch.expression)): \(error)")
                }
            }
            let modules = module.value.children[chosen]
            return .open(
                ContainerOpening(
                    collection: .single, children: [chosen], previous: scope.previousResult,
                    immediateResult: modules.isEmpty ? Optional(scope.previousResult) : nil))
        case .branchAll(let branches):
            let tolerated = Set(branches.branches.indices.filter { branches.branches[$0].skipFailure })
            let count = branches.branches.count
            return .open(
                ContainerOpening(
                    collection: .array, children: Array(0..<count), parallelism: branches.parallel ? max(1, count) : 1,
                    previous: scope.inputWithIteration, toleratedFailures: tolerated, immediateResult: count == 0 ? .array([]) : nil))
        }
    }

    /// Most iterations of a parallel loop without `parallelism` started at once.
    public static let defaultParallelism = 1000

    private func openForLoop(_ loop: ForLoop, module: FlowModule, scope: StepScope) -> StepStart {
        let items: [JSONValue]
        do {
            let value = try value(of: loop.iterator, scope: scope)
            switch value {
            case .array(let elements)?: items = elements
            case .null?, .none: items = []
            case let other?: throw FlowRuntimeError("the iterator must give an array, got \(other.typeName)")
            }
        } catch {
            return .failed("module '\(module.id)', iterator: \(error)")
        }
        var parallelism = 1
        if loop.parallel {
            parallelism = Self.defaultParallelism
            if let transform = loop.parallelism {
                do {
                    let value = try value(of: transform, scope: scope)
                    if let number = value?.numberValue, number.isFinite, number >= 1 {
                        parallelism = Int(min(number, 1_000_000))
                    } else if let value, !value.isNull {
                        throw FlowRuntimeError("expected a number ≥ 1, got \(value.jsonText)")
                    }
                } catch {
                    return .failed("module '\(module.id)', parallelism: \(error)")
                }
            }
        }
        return .open(
            ContainerOpening(
                collection: .array, children: Array(items.indices), items: items, parallelism: min(parallelism, max(1, items.count)),
                previous: scope.previousResult, toleratesEveryFailure: loop.skipFailures, immediateResult: items.isEmpty ? .array([]) : nil))
    }

    // MARK: - After a step

    /// What follows the end of the module at `cursor` of `frame` (a step, or a container once its
    /// children are done). `attempt` counts runs of this module (1 on its first run); `unitRandom`
    /// (0..<1) picks the retry jitter.
    public func afterStep(frame: FrameID, cursor: Int, scope: StepScope, outcome: StepOutcome, attempt: Int, unitRandom: Double = 0.5)
        -> StepFollowUp
    {
        let scope = Self.positioned(scope, frame: frame, cursor: cursor)
        guard let module = definition.module(in: frame, at: cursor) else {
            return .endFrame(.failed(module: "?", message: "the flow has no module at \(frame) #\(cursor)"))
        }
        switch outcome {
        case .failure(let message):
            if let retry = module.retry, let delay = retry.delay(beforeRetry: attempt, unitRandom: unitRandom) {
                if let condition = retry.retryIf {
                    let error = errorObject(message, moduleID: module.id)
                    do {
                        let holds = try truthy(
                            decide(condition, scope: scope, extra: ["error": error, "result": ["error": error]]))
                        if holds { return .retry(delay: delay) }
                    } catch {
                        return .endFrame(.failed(module: module.id, message: "module '\(module.id)', retry_if: \(error)"))
                    }
                } else {
                    return .retry(delay: delay)
                }
            }
            let attempts = attempt > 1 ? " after \(attempt) attempts" : ""
            let failure = "module '\(module.id)' failed\(attempts): \(message)"
            guard module.continueOnError else { return .endFrame(.failed(module: module.id, message: failure)) }
            return afterSuccess(
                module: module, frame: frame, cursor: cursor, scope: scope, result: ["error": errorObject(message, moduleID: module.id)])
        case .success(let result):
            return afterSuccess(module: module, frame: frame, cursor: cursor, scope: scope, result: result)
        }
    }

    private func afterSuccess(module: FlowModule, frame: FrameID, cursor: Int, scope: StepScope, result: JSONValue) -> StepFollowUp {
        // A loop's `stop_after_if` is checked after each iteration (it breaks the loop); at the end
        // of a loop or a branchall, `stop_after_all_iters_if` is checked with every result.
        let endStop = ContainerPolicy(module.value)?.stopsAfterAllChildren == true ? module.stopAfterAllItersIf : module.stopAfterIf
        if let stop = endStop {
            do {
                if try truthy(decide(stop.expression, scope: scope, extra: ["result": result])) {
                    if let message = stop.errorMessage {
                        let text = message.isEmpty ? "stop after if: \(stop.expression)" : message
                        return .endFrame(.stoppedWithError(module: module.id, result: result, message: text))
                    }
                    return .endFrame(.stopped(module: module.id, result: result, skipped: stop.skipIfStopped))
                }
            } catch {
                return .endFrame(.failed(module: module.id, message: "module '\(module.id)', stop_after_if: \(error)"))
            }
        }
        if let settings = module.suspend {
            var page: [(String, JSONValue)] = []
            for key in ["description", "default_args", "enums"] {
                if let value = result[key], !value.isNull { page.append((key, value)) }
            }
            return .park(result: result, gate: GatePlan(moduleID: module.id, settings: settings, page: JSONValue(members: page)))
        }
        return moveOn(after: module, frame: frame, cursor: cursor, scope: scope, result: result)
    }

    /// Moves on from a module (after its sleep, if any): to the next module, or the frame's end.
    private func moveOn(after module: FlowModule, frame: FrameID, cursor: Int, scope: StepScope, result: JSONValue) -> StepFollowUp {
        var delay = Duration.zero
        if let sleep = module.sleep {
            do {
                delay = try sleepDuration(sleep, scope: scope, result: result)
            } catch {
                return .endFrame(.failed(module: module.id, message: "module '\(module.id)', sleep: \(error)"))
            }
        }
        let count = definition.modules(of: frame)?.count ?? 0
        guard cursor + 1 < count else { return .endFrame(.completed(module: module.id, result: result)) }
        return .next(result: result, delay: delay)
    }

    /// What follows a gate's decision on the module at `cursor` of `frame`, whose result was `result`.
    public func afterGate(frame: FrameID, cursor: Int, scope: StepScope, result: JSONValue, outcome: GateOutcome) -> (StepFollowUp, ResumeContext?) {
        let scope = Self.positioned(scope, frame: frame, cursor: cursor)
        guard let module = definition.module(in: frame, at: cursor), let settings = module.suspend else {
            return (.endFrame(.failed(module: "?", message: "the flow is not at a gate")), nil)
        }
        let context: ResumeContext
        switch outcome {
        case .approved(let given):
            context = given
        case .rejected(let approver, let reason, let given):
            guard settings.continueOnDisapproveTimeout else {
                let why = reason.map { ": \($0)" } ?? ""
                return (.endFrame(.canceled("disapproved by \(approver)\(why)")), nil)
            }
            context = ResumeContext(resume: ResumeContext.disapproved(by: approver), resumes: given.resumes, approvers: given.approvers)
        case .timedOut(let given):
            guard settings.continueOnDisapproveTimeout else {
                return (.endFrame(.canceled("timed out waiting to be resumed")), nil)
            }
            context = ResumeContext(resume: ResumeContext.timedOut, resumes: given.resumes, approvers: given.approvers)
        }
        var resumed = scope
        resumed.resume = context
        return (moveOn(after: module, frame: frame, cursor: cursor, scope: resumed, result: result), context)
    }

    // MARK: - Frames

    /// What a child frame's end does to its container, with Windmill's rules: a loop's
    /// `stop_after_if` (checked with each iteration's result) or a stop inside a sequential loop's
    /// iteration breaks the loop; a stop inside a branchone or a sequential branchall stops the
    /// frame around it (and so on upwards until a loop absorbs it); parallel loops and branchalls
    /// ignore stops inside; a failure fails the container unless it is tolerated
    /// (`skip_failures`, `skip_failure`), in which case its error is the child's result.
    public func childEnded(_ frame: FrameID, scope: StepScope, ending: FrameEnd, tolerated: Bool) -> ChildEnd {
        guard let container = frame.container, let module = definition.module(in: container.frame, at: container.cursor) else {
            return ChildEnd(outcome: .failure("the frame \(frame) is not a child of a container"), disposition: .failContainer("invalid frame"))
        }
        let scope = Self.positioned(scope, frame: container.frame, cursor: container.cursor)
        let parallel = ContainerPolicy(module.value)?.parallel ?? false
        switch ending {
        case .completed(_, let result):
            if module.value.isLoop, !parallel, let stop = module.stopAfterIf {
                do {
                    if try truthy(decide(stop.expression, scope: scope, extra: ["result": result])) {
                        return ChildEnd(outcome: .success(result), disposition: .stopContainer)
                    }
                } catch {
                    return ChildEnd(outcome: .success(result), disposition: .failContainer("module '\(module.id)', stop_after_if: \(error)"))
                }
            }
            return ChildEnd(outcome: .success(result), disposition: .proceed)
        case .stopped(_, let result, let skipped):
            if parallel { return ChildEnd(outcome: .success(result), disposition: .proceed) }
            if module.value.isLoop { return ChildEnd(outcome: .success(result), disposition: .stopContainer) }
            return ChildEnd(outcome: .success(result), disposition: .stopFrame(result: result, skipped: skipped))
        case .stoppedWithError(let moduleID, _, let message), .failed(let moduleID, let message):
            if tolerated {
                return ChildEnd(outcome: .success(["error": errorObject(message, moduleID: moduleID)]), disposition: .proceed)
            }
            return ChildEnd(outcome: .failure(message), disposition: .failContainer(message))
        case .canceled:
            return ChildEnd(outcome: .failure("canceled"), disposition: .endFlow(ending))
        }
    }

    /// How the flow ends when its main frame ends (the failure module, when there is one, runs
    /// first for a failure: see ``failureScope(error:)``).
    public func flowEnding(_ ending: FrameEnd) -> FlowEnding {
        switch ending {
        case .completed(_, let result): .success(result, skipped: false)
        case .stopped(_, let result, let skipped): .success(result, skipped: skipped)
        case .stoppedWithError(_, _, let message): .failure(message)
        case .failed(_, let message): .failure(message)
        case .canceled(let message): .canceled(message)
        }
    }

    /// What the failure module sees as `error` (and as `previous_result`).
    public func errorObject(_ message: String, moduleID: String?) -> JSONValue {
        ["name": "FlowError", "message": .string(message), "step_id": .string(moduleID ?? "")]
    }

    // MARK: - Expressions

    private func evaluateArguments(_ module: FlowModule, scope: StepScope) throws -> JSONValue {
        var arguments: [(String, JSONValue)] = []
        for named in module.value.inputTransforms {
            let value: JSONValue?
            switch named.transform {
            case .staticValue(let constant):
                do {
                    value = try constant.substitutingReferences(scope.references)
                } catch {
                    throw FlowRuntimeError("argument '\(named.name)': \(error)")
                }
            case .javascript(let source):
                do {
                    value = try evaluate(source, scope: scope, extra: ["params": JSONValue(members: arguments)])
                } catch {
                    throw FlowRuntimeError("argument '\(named.name)' (\(source)): \(error)")
                }
            }
            // `undefined` leaves the argument out, as JSON.stringify would.
            if let value { arguments.append((named.name, value)) }
        }
        return JSONValue(members: arguments)
    }

    /// The value of a transform that decides something (an iterator, a parallelism, a sleep, a
    /// timeout, the groups of a gate): never one holding a secret.
    private func value(of transform: InputTransform, scope: StepScope, extra: [String: JSONValue] = [:]) throws -> JSONValue? {
        switch transform {
        case .staticValue(let constant): try Self.withoutSecrets(try constant.substitutingReferences(scope.references), scope: scope)
        case .javascript(let source): try decide(source, scope: scope, extra: extra)
        }
    }

    /// `scope` for a module at `cursor` of `frame`: with its top-level module's index.
    static func positioned(_ scope: StepScope, frame: FrameID, cursor: Int) -> StepScope {
        var scope = scope
        scope.position = frame.root == .main ? (frame.hops.first?.module ?? cursor) : nil
        return scope
    }

    /// Evaluates an expression of the module against `scope` (its variables and the references
    /// resolved for it), plus `extra` (`result`, `error`, `params`). Secrets pass through it as
    /// they are, and nothing looks into them (SluiceExpressions' SecretGuard).
    private func evaluate(_ source: String, scope: StepScope, extra: [String: JSONValue] = [:]) throws -> JSONValue? {
        var variables = scope.variables(extra: extra)
        variables["flow_env"] = .some(definition.environment)
        // The legacy `step(i)` counts back from the current top-level module when `i` is negative:
        // the engine counts from the end of the ids it gets, so it gets those before that module
        // (the later ones have no results yet).
        variables[JavaScriptSubsetEvaluator.stepsVariable] = .some(
            scope.position.map { .array(Array((index.steps.arrayValue ?? []).prefix($0))) } ?? index.steps)
        return try evaluator.evaluate(source, variables: variables, references: scope.references, secrets: scope.secrets.secrets)
    }

    /// Evaluates an expression that decides something (`skip_if`, a branch's `expr`, a stop or
    /// retry condition...): its value may not hold a secret — only a step's arguments may, where the
    /// script gets it and its record masks it. Anything else would let the flow's author read a
    /// secret back one decision at a time (a branch taken, a sleep's length).
    private func decide(_ source: String, scope: StepScope, extra: [String: JSONValue] = [:]) throws -> JSONValue? {
        try Self.withoutSecrets(try evaluate(source, scope: scope, extra: extra), scope: scope)
    }

    private static func withoutSecrets(_ value: JSONValue?, scope: StepScope) throws -> JSONValue? {
        if let value, scope.secrets.reveals(value) {
            throw FlowRuntimeError("its value holds a secret; a flow may pass a secret only to a step's arguments")
        }
        return value
    }

    private func timeoutSeconds(_ module: FlowModule, scope: StepScope) throws -> Int? {
        guard let transform = module.timeout else { return nil }
        let value = try value(of: transform, scope: scope)
        if value == nil || value?.isNull == true { return nil }
        guard let seconds = value?.numberValue, seconds.isFinite, seconds > 0 else {
            throw FlowRuntimeError("timeout: expected a positive number of seconds, got \(value?.jsonText ?? "undefined")")
        }
        return Int(min(seconds, 30 * 24 * 3600).rounded(.up))
    }

    private func sleepDuration(_ sleep: InputTransform, scope: StepScope, result: JSONValue) throws -> Duration {
        let value = try value(of: sleep, scope: scope, extra: ["result": result])
        guard let seconds = value?.numberValue, seconds.isFinite, seconds >= 0 else {
            throw FlowRuntimeError("expected a number of seconds, got \(value?.jsonText ?? "undefined")")
        }
        return .milliseconds(Int64((min(seconds, 365 * 24 * 3600) * 1000).rounded()))
    }

    /// `user_groups_required`, evaluated as the gated step starts, so every rule is known before
    /// its script can hand out links.
    private func requiredGroups(_ settings: SuspendSettings, scope: StepScope) throws -> [String] {
        guard let transform = settings.userGroupsRequired else { return [] }
        let value: JSONValue?
        do {
            value = try self.value(of: transform, scope: scope)
        } catch {
            throw FlowRuntimeError("user_groups_required: \(error)")
        }
        switch value {
        case .none, .null?: return []
        case .string(let group)?: return [group]
        case .array(let elements)?:
            let groups = elements.compactMap(\.stringValue)
            guard groups.count == elements.count else { throw FlowRuntimeError("user_groups_required: expected a list of group names") }
            return groups
        case let other?: throw FlowRuntimeError("user_groups_required: expected a list of group names, got \(other.typeName)")
        }
    }

    func truthy(_ value: JSONValue?) -> Bool {
        switch value {
        case .none, .null?: false
        case .bool(let bool)?: bool
        case .number(let number)?: number != 0 && !number.isNaN
        case .string(let string)?: !string.isEmpty
        case .array?, .object?: true
        }
    }
}

public import SluiceCore

/// What a step's expressions see: Windmill's `flow_input`, `results`, `previous_result`,
/// `resume`, `resumes`, `approvers`, and `error` in the failure module. Read from Redis by the
/// flow runtime — only what the module's expressions name (``ScopeNeeds``) — so a decision never
/// touches Redis and a step's cost does not grow with the flow's history.
public struct StepScope: Sendable, Equatable {
    public var flowInput: JSONValue
    /// Results by module id: those the expressions read, of the modules in scope.
    public var results: [String: JSONValue]
    public var previousResult: JSONValue
    /// Inside a loop: the current iteration (`flow_input.iter`).
    public var iteration: Iteration?
    /// Inside nested loops: the iterations of the enclosing loops, innermost first
    /// (`flow_input.iter_parent`, `iter_parent_parent`...).
    public var enclosingIterations: [Iteration] = []
    /// After a gate in this frame or an enclosing one: what approvers sent and who they were.
    public var resume: ResumeContext?
    /// In the failure module: the error that failed the flow.
    public var error: JSONValue?
    /// Who started the flow.
    public var createdBy: String?
    /// The variables and resources the module names (``ScopeNeeds/references``), resolved for it:
    /// what `$var:`/`$res:` static values and `variable()`/`resource()` calls stand for.
    public var references: [Reference: ResolvedReference]
    /// The secret values among ``references``: expressions may pass them to a step's arguments as
    /// they are, and nothing else (``FlowStepper``).
    public var secrets: SecretRedactor
    /// The index, among the flow's top-level modules, of the one being run or inside which the
    /// step runs (nil in the failure and preprocessor modules): set by ``FlowStepper``, for the
    /// legacy `step(i)` counted back from the current module when `i` is negative.
    var position: Int?

    /// The current iteration of the innermost loop.
    public struct Iteration: Sendable, Equatable {
        public var index: Int
        public var value: JSONValue

        public init(index: Int, value: JSONValue) {
            self.index = index
            self.value = value
        }
    }

    public init(
        flowInput: JSONValue,
        results: [String: JSONValue] = [:],
        previousResult: JSONValue? = nil,
        iteration: Iteration? = nil,
        resume: ResumeContext? = nil,
        error: JSONValue? = nil,
        createdBy: String? = nil,
        references: [Reference: ResolvedReference] = [:],
        secrets: SecretRedactor = SecretRedactor()
    ) {
        self.flowInput = flowInput
        self.results = results
        self.previousResult = previousResult ?? flowInput
        self.iteration = iteration
        self.resume = resume
        self.error = error
        self.createdBy = createdBy
        self.references = references
        self.secrets = secrets
    }

    /// `flow_input` as a loop iteration sees it, built as Windmill builds it: each loop, from the
    /// outermost in, sets `iter` = `{value, index}` and moves the `iter` already there to
    /// `iter_parent` (and that one's to `iter_parent_parent`...). Not an object: `{iter}` alone.
    public var inputWithIteration: JSONValue {
        guard let iteration else { return flowInput }
        var input: JSONValue = flowInput.objectValue != nil ? flowInput : .emptyObject
        for loop in ([iteration] + enclosingIterations).reversed() {
            input = Self.inserting(["value": loop.value, "index": .number(Double(loop.index))], as: "iter", into: input)
        }
        return input
    }

    private static func inserting(_ value: JSONValue, as key: String, into input: JSONValue) -> JSONValue {
        var input = input
        if let existing = input[key] { input = inserting(existing, as: key + "_parent", into: input) }
        return input.setting(key, to: value)
    }

    /// The variables an expression is evaluated with, plus `extra` (`result`, `params`...).
    public func variables(extra: [String: JSONValue] = [:]) -> [String: JSONValue?] {
        var variables: [String: JSONValue?] = [
            "flow_input": .some(inputWithIteration),
            "results": .some(JSONValue(members: results.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            "previous_result": .some(previousResult),
            "params": .some(.emptyObject),
            "resume": resume?.resume,
            "resumes": resume.map { JSONValue.array($0.resumes) },
            "approvers": resume.map { JSONValue.array($0.approvers.map { .string($0) }) },
        ]
        if let error { variables["error"] = .some(error) }
        for (name, value) in extra { variables[name] = .some(value) }
        return variables
    }
}

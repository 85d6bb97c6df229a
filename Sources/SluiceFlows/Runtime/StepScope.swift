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

    /// `flow_input` as a loop iteration sees it: with `iter` = `{value, index}` of the innermost loop.
    public var inputWithIteration: JSONValue {
        guard let iteration else { return flowInput }
        let iter: JSONValue = ["value": iteration.value, "index": .number(Double(iteration.index))]
        if case .object = flowInput { return flowInput.setting("iter", to: iter) }
        return ["iter": iter]
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

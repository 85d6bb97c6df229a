public import SluiceCore

/// How a module's step begins: decided by ``FlowStepper/start(_:frame:cursor:scope:attempt:)``
/// when a worker takes the step, with the module's expressions evaluated against the scope of
/// that moment.
public enum StepStart: Sendable, Equatable {
    /// Run the module's script (or pass the input through, for `identity`).
    case run(StepInvocation)
    /// `skip_if` held: the module does not run; this is its result.
    case skipped(JSONValue)
    /// `mock` is enabled: the module does not run; this is its result.
    case mocked(JSONValue)
    /// A loop or branch: start its children.
    case open(ContainerOpening)
    /// `type: flow`: start the pushed flow at `path` with `input`, as a flow job of its own.
    case subflow(path: String, input: JSONValue)
    /// An expression failed (an argument, `skip_if`, the iterator...): the step fails with this.
    case failed(String)
}

/// A script step's invocation.
public struct StepInvocation: Sendable, Equatable {
    public var arguments: JSONValue
    /// This module's `timeout`, when it sets one.
    public var timeoutSeconds: Int?
    /// The gate the step opens after it runs, with `user_groups_required` resolved.
    public var gate: GateSpec?

    public init(arguments: JSONValue, timeoutSeconds: Int? = nil, gate: GateSpec? = nil) {
        self.arguments = arguments
        self.timeoutSeconds = timeoutSeconds
        self.gate = gate
    }
}

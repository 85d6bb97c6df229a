public import SluiceCore

/// What happens next in a flow: the output of ``FlowStepper``, applied by one Lua script.
public enum FlowDecision: Sendable, Equatable {
    /// Enqueue a module's job (the next module, a retry, or the failure module).
    case runStep(StepPlan)
    /// Park the flow at the gate of the module that just finished.
    case suspend(GatePlan)
    /// End the flow.
    case finish(FlowEnding)
}

/// A module's job to enqueue.
public struct StepPlan: Sendable, Equatable {
    public var position: FlowPosition
    public var moduleID: String
    /// 1 for a module's first run, 2 for its first retry, ...
    public var attempt: Int
    public var arguments: JSONValue
    /// Wait this long before running (a previous module's `sleep`, or a retry's backoff).
    public var delay: Duration
    public var run: StepRun
    public var timeoutSeconds: Int?
}

/// What a step's job runs.
public enum StepRun: Sendable, Equatable {
    case identity
    case script(path: String)
    case rawScript(language: ScriptLanguage, content: String)
}

/// A gate to open: the module that parked the flow and its settings.
public struct GatePlan: Sendable, Equatable {
    public var position: FlowPosition
    public var moduleID: String
    public var settings: SuspendSettings
    /// Groups whose members may approve, resolved when the gate opens (`user_groups_required`).
    public var requiredGroups: [String]
}

/// How a flow ends.
public enum FlowEnding: Sendable, Equatable {
    case success(JSONValue, skipped: Bool)
    case failure(String)
    case canceled(String)
}

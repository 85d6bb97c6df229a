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
    /// The approval gate this module opens after it runs, created with its job so that approvals
    /// sent while the script still runs are kept.
    public var gate: GateSpec?
}

/// A module's gate: its settings, with `user_groups_required` resolved when the step is planned.
public struct GateSpec: Sendable, Equatable {
    public var settings: SuspendSettings
    public var requiredGroups: [String]
    /// For the approval page: the flow's and the module's summaries.
    public var flowSummary: String
    public var moduleSummary: String
}

/// What a step's job runs.
public enum StepRun: Sendable, Equatable {
    case identity
    case script(path: String)
    case rawScript(language: ScriptLanguage, content: String)
}

/// The gate to open: the module that just finished parks the flow.
public struct GatePlan: Sendable, Equatable {
    public var position: FlowPosition
    public var moduleID: String
    public var settings: SuspendSettings
    /// What the module's result asks of the approval page: `description` (markdown),
    /// `default_args` and `enums` — Windmill's "default args" and "dynamic enums".
    public var page: JSONValue
}

/// How a flow ends.
public enum FlowEnding: Sendable, Equatable {
    case success(JSONValue, skipped: Bool)
    case failure(String)
    case canceled(String)
}

public import SluiceCore

/// One module of a flow: what it runs (``ModuleValue``) and the options around it, with
/// Windmill's field names and meaning.
public struct FlowModule: Sendable, Equatable {
    /// The module's id: `results.<id>` in expressions. Unique in the whole flow, nested modules included.
    public var id: String
    public var summary: String
    public var value: ModuleValue
    public var retry: RetryPolicy?
    /// Seconds to wait after this module before the next one starts.
    public var sleep: InputTransform?
    public var stopAfterIf: StopAfterIf?
    /// On a loop: evaluated after each iteration with `result` = that iteration's result; a truthy
    /// value ends the loop.
    public var stopAfterAllItersIf: StopAfterIf?
    /// `skip_if.expr`: when truthy (evaluated as the module starts), the module does not run.
    public var skipIf: String?
    /// A failure does not fail the flow: the module's result becomes the error object.
    public var continueOnError: Bool
    /// Execution timeout of this module's job, in seconds (a number or an expression).
    public var timeout: InputTransform?
    /// Makes the flow wait for approvals after this module.
    public var suspend: SuspendSettings?
    /// `mock`: when enabled, the module does not run and this is its result.
    public var mock: JSONValue?
    /// `cache_ttl`: a result for identical inputs is reused for this many seconds.
    public var cacheTTL: Int?
    /// `priority`: higher runs first among the jobs waiting in the same queue.
    public var priority: Int?
    /// Why this module cannot run here (an `aiagent`, a language or module type Sluice does not
    /// have), for a flow pushed with `--allow-unsupported`: the flow runs, and fails only if it
    /// reaches this module — as Windmill does with a worker tag nobody serves.
    public var unsupported: String?

    public init(
        id: String,
        summary: String = "",
        value: ModuleValue,
        retry: RetryPolicy? = nil,
        sleep: InputTransform? = nil,
        stopAfterIf: StopAfterIf? = nil,
        stopAfterAllItersIf: StopAfterIf? = nil,
        skipIf: String? = nil,
        continueOnError: Bool = false,
        timeout: InputTransform? = nil,
        suspend: SuspendSettings? = nil,
        mock: JSONValue? = nil,
        cacheTTL: Int? = nil,
        priority: Int? = nil
    ) {
        self.id = id
        self.summary = summary
        self.value = value
        self.retry = retry
        self.sleep = sleep
        self.stopAfterIf = stopAfterIf
        self.stopAfterAllItersIf = stopAfterAllItersIf
        self.skipIf = skipIf
        self.continueOnError = continueOnError
        self.timeout = timeout
        self.suspend = suspend
        self.mock = mock
        self.cacheTTL = cacheTTL
        self.priority = priority
    }
}

/// One argument's transform: `input_transforms.<name>`.
public struct NamedTransform: Sendable, Equatable {
    public var name: String
    public var transform: InputTransform

    public init(_ name: String, _ transform: InputTransform) {
        self.name = name
        self.transform = transform
    }
}

/// `{type: static, value}` or `{type: javascript, expr}`.
public enum InputTransform: Sendable, Equatable {
    case staticValue(JSONValue)
    case javascript(String)
}

/// `stop_after_if`: ends the flow (or the loop it is in) early when `expr` — with `result` = this
/// step's result — is truthy.
public struct StopAfterIf: Sendable, Equatable {
    public var expression: String
    /// The stopped flow is marked skipped rather than plainly successful.
    public var skipIfStopped: Bool
    /// When set, the stop is a failure with this message.
    public var errorMessage: String?

    public init(expression: String, skipIfStopped: Bool = false, errorMessage: String? = nil) {
        self.expression = expression
        self.skipIfStopped = skipIfStopped
        self.errorMessage = errorMessage
    }
}

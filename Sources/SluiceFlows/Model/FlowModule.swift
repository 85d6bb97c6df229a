public import SluiceCore

/// One step of a flow.
public struct FlowModule: Sendable, Equatable {
    /// The module's id: `results.<id>` in expressions.
    public var id: String
    public var summary: String
    public var value: ModuleValue
    public var retry: RetryPolicy?
    /// Seconds to wait after this module before the next one starts.
    public var sleep: InputTransform?
    public var stopAfterIf: StopAfterIf?
    /// Execution timeout of this module's job, in seconds.
    public var timeoutSeconds: Int?
    /// Makes the flow wait for approvals after this module.
    public var suspend: SuspendSettings?

    public init(
        id: String,
        summary: String = "",
        value: ModuleValue,
        retry: RetryPolicy? = nil,
        sleep: InputTransform? = nil,
        stopAfterIf: StopAfterIf? = nil,
        timeoutSeconds: Int? = nil,
        suspend: SuspendSettings? = nil
    ) {
        self.id = id
        self.summary = summary
        self.value = value
        self.retry = retry
        self.sleep = sleep
        self.stopAfterIf = stopAfterIf
        self.timeoutSeconds = timeoutSeconds
        self.suspend = suspend
    }
}

/// What a module runs.
public enum ModuleValue: Sendable, Equatable {
    /// A script written into the flow.
    case rawScript(language: ScriptLanguage, content: String, inputTransforms: [NamedTransform])
    /// A pushed script, by path.
    case script(path: String, inputTransforms: [NamedTransform])
    /// Passes its input (the previous result) through; runs no process.
    case identity

    /// The module's argument transforms, in order.
    public var inputTransforms: [NamedTransform] {
        switch self {
        case .rawScript(_, _, let transforms), .script(_, let transforms): transforms
        case .identity: []
        }
    }

    /// `rawscript`, `script` or `identity`.
    public var typeName: String {
        switch self {
        case .rawScript: "rawscript"
        case .script: "script"
        case .identity: "identity"
        }
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

/// `stop_after_if`: ends the flow early when `expr` (with `result` = this step's result) is truthy.
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

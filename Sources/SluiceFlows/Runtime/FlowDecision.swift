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

/// A module's gate: its settings, with `user_groups_required` resolved as the step starts.
public struct GateSpec: Sendable, Equatable {
    public var settings: SuspendSettings
    public var requiredGroups: [String]
    /// For the approval page: the flow's and the module's summaries.
    public var flowSummary: String
    public var moduleSummary: String

    public init(settings: SuspendSettings, requiredGroups: [String], flowSummary: String, moduleSummary: String) {
        self.settings = settings
        self.requiredGroups = requiredGroups
        self.flowSummary = flowSummary
        self.moduleSummary = moduleSummary
    }
}

/// A container module starting: which children run, how many at once, with what.
public struct ContainerOpening: Sendable, Equatable {
    /// How the container's result is made from its children's.
    public enum Collection: Sendable, Equatable {
        /// An array of each child's last result, in child order (`forloopflow`, `branchall`, `whileloopflow`).
        case array
        /// The one child's result (`branchone`).
        case single
    }

    public var collection: Collection
    /// The children to run, in order: iteration numbers, or branch numbers. Empty for a while
    /// loop, whose iterations are decided one at a time.
    public var children: [Int]
    /// `forloopflow`: the element each iteration gets as `flow_input.iter.value`, by child.
    public var items: [JSONValue]
    /// Children running at once (1: one after the other).
    public var parallelism: Int
    /// `previous_result` for the first module of every child.
    public var previous: JSONValue
    /// Children whose failure is recorded as their result instead of failing the container.
    public var toleratedFailures: Set<Int>
    /// All children tolerate failure (`skip_failures` on a loop, where children are iterations).
    public var toleratesEveryFailure: Bool
    /// A while loop: iterations are started one after the other until one stops it, at most this many.
    public var maximumIterations: Int?
    /// When no child needs to run (an empty iterator, an empty chosen branch): the container's result.
    public var immediateResult: JSONValue?

    public init(
        collection: Collection, children: [Int], items: [JSONValue] = [], parallelism: Int = 1, previous: JSONValue,
        toleratedFailures: Set<Int> = [], toleratesEveryFailure: Bool = false, maximumIterations: Int? = nil, immediateResult: JSONValue? = nil
    ) {
        self.collection = collection
        self.children = children
        self.items = items
        self.parallelism = parallelism
        self.previous = previous
        self.toleratedFailures = toleratedFailures
        self.toleratesEveryFailure = toleratesEveryFailure
        self.maximumIterations = maximumIterations
        self.immediateResult = immediateResult
    }
}

/// How a step (or a container, once its children are done) ended.
public enum StepOutcome: Sendable, Equatable {
    case success(JSONValue)
    case failure(String)
}

/// What follows a module's end in its frame.
public enum StepFollowUp: Sendable, Equatable {
    /// Run the same module again, after `delay` (its retry policy allows it).
    case retry(delay: Duration)
    /// The module's result is recorded and the next module of the frame runs after `delay`.
    case next(result: JSONValue, delay: Duration)
    /// The module's result is recorded and the frame parks at its gate.
    case park(result: JSONValue, gate: GatePlan)
    /// The frame is over (its result is recorded when it has one).
    case endFrame(FrameEnd)
}

/// How a frame ended.
public enum FrameEnd: Sendable, Equatable {
    /// Its last module finished; `result` is that module's result (or the frame's input when empty).
    case completed(module: String?, result: JSONValue)
    /// `stop_after_if` held on `module`: the frame — and the flow, or the loop it is an iteration of — stops.
    case stopped(module: String, result: JSONValue, skipped: Bool)
    /// `stop_after_if` held with an `error_message`.
    case stoppedWithError(module: String, result: JSONValue, message: String)
    /// A module failed for good.
    case failed(module: String, message: String)
    /// A gate was rejected or timed out without `continue_on_disapprove_timeout`: the flow is canceled.
    case canceled(String)
}

/// The gate to open: the module that just finished parks its frame.
public struct GatePlan: Sendable, Equatable {
    public var moduleID: String
    public var settings: SuspendSettings
    /// What the module's result asks of the approval page: `description` (markdown),
    /// `default_args` and `enums` — Windmill's "default args" and "dynamic enums".
    public var page: JSONValue

    public init(moduleID: String, settings: SuspendSettings, page: JSONValue) {
        self.moduleID = moduleID
        self.settings = settings
        self.page = page
    }
}

/// How a gate was decided.
public enum GateOutcome: Sendable, Equatable {
    case approved(ResumeContext)
    case rejected(by: String, reason: String?, ResumeContext)
    case timedOut(ResumeContext)
}

/// What a finished child frame does to its container (see ``FlowStepper/childEnded(_:in:module:ending:)``).
public struct ChildEnd: Sendable, Equatable {
    /// What the child contributes: its result, or its failure.
    public var outcome: StepOutcome
    /// Whether the container should stop starting children (a loop stopped by `stop_after_if`
    /// in an iteration, or by `stop_after_all_iters_if`), or fail because of this child.
    public var disposition: Disposition

    public enum Disposition: Sendable, Equatable {
        /// Record it and go on (start the next child, or complete when all are done).
        case proceed
        /// Record it and complete the container now (a loop that stops).
        case stopContainer
        /// The container fails with this message (its children still running are canceled).
        case failContainer(String)
        /// The container's own frame stops here (a stop inside a branch): the container ends with
        /// `result` and its frame ends as stopped, which its own container judges in turn.
        case stopFrame(result: JSONValue, skipped: Bool)
        /// The whole flow ends this way (a gate rejected or timed out inside a branch or loop).
        case endFlow(FrameEnd)
    }

    public init(outcome: StepOutcome, disposition: Disposition) {
        self.outcome = outcome
        self.disposition = disposition
    }
}

/// How a flow ends.
public enum FlowEnding: Sendable, Equatable {
    case success(JSONValue, skipped: Bool)
    case failure(String)
    case canceled(String)
}

/// A problem running a flow (an expression that fails, a bad sleep value), with a message for people.
public struct FlowRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) {
        self.description = description
    }
}

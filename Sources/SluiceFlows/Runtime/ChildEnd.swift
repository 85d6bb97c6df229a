public import SluiceCore

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

public import SluiceCore

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

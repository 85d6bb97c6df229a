public import SluiceCore

/// How a step (or a container, once its children are done) ended.
public enum StepOutcome: Sendable, Equatable {
    case success(JSONValue)
    case failure(String)
}

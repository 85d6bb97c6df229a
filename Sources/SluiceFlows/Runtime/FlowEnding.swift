public import SluiceCore

/// How a flow ends.
public enum FlowEnding: Sendable, Equatable {
    case success(JSONValue, skipped: Bool)
    case failure(String)
    case canceled(String)
}

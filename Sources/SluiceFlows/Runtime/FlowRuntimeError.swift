/// A problem running a flow (an expression that fails, a bad sleep value), with a message for people.
public struct FlowRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) {
        self.description = description
    }
}

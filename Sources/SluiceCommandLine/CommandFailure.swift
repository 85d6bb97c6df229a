/// A command that cannot do what it was asked: printed as one line on stderr, exit status 1.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ message: String) {
        description = message
    }
}

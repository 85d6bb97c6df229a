/// A flow file that Sluice cannot run as written: the location (a path into the document, e.g.
/// `value.modules[2].value.type`) and what is wrong there.
public struct FlowFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public let location: String
    public let message: String

    public init(at location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}

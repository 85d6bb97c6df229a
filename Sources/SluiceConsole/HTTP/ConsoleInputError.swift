/// Input the console refuses: a form or query field that is malformed or out of range. Answered
/// 400 with the field named; nothing changes.
public struct ConsoleInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}

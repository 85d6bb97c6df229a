/// A lexical token with its position (in Unicode scalars from the start).
struct Token: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case string(String)
        /// A template literal: text parts and the sources of the `${}` parts between them, with
        /// the offset of each expression source.
        case template(strings: [String], expressions: [(String, Int)])
        case identifier(String)
        case punctuator(String)
        case end

        static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): a == b || (a.isNaN && b.isNaN)
            case (.string(let a), .string(let b)): a == b
            case (.template(let a, let x), .template(let b, let y)): a == b && x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
            case (.identifier(let a), .identifier(let b)): a == b
            case (.punctuator(let a), .punctuator(let b)): a == b
            case (.end, .end): true
            default: false
            }
        }
    }

    let kind: Kind
    let position: Int

    func isPunctuator(_ text: String) -> Bool {
        if case .punctuator(let value) = kind { return value == text }
        return false
    }
}

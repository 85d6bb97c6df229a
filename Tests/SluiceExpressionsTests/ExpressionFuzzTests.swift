import SluiceCore
import SluiceExpressions
import Testing

/// Random and mutated expressions: each must evaluate or throw an ExpressionError within the
/// limits — never crash, never hang. Deterministic (seeded) so a failure can be replayed.
@Suite("Expression fuzzing")
struct ExpressionFuzzTests {
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        "flow_input", "results", ".", "?.", "[", "]", "(", ")", "{", "}", ",", ":", "?", "??", "||", "&&", "!", "+", "-", "*", "/", "%",
        "**", "===", "!==", "==", "<", ">=", "=>", "x", "a", "...", "1", "0", "-1", "1e308", "NaN", "'s'", "\"t\"", "`a${", "}`", "null",
        "undefined", "true", "map", "filter", "reduce", "join", "split", "length", "repeat", "JSON", "Math", "max", "stringify", "parse",
        " ", "\\", "\u{0}", "é", "😀", "typeof", "new", "=", ";", "/", "//", "/*", "*/", "#", "@", "0x", "[1,2]", "{a:1}",
    ]

    static let seeds = [
        "results.a.items.map(x => x.id).join(\",\")", "`Hello ${flow_input.user ?? \"anon\"}`", "[...results.a.items, 1].length",
        "JSON.stringify({a: [1, 2]}, null, 2)", "flow_input.count > 3 ? 'many' : 'few'", "results.a.items.reduce((s, x) => s + x.id, 0)",
    ]

    static let variables: [String: JSONValue?] = [
        "flow_input": ["user": nil, "count": 4], "results": ["a": ["items": [["id": 1], ["id": 2]]]], "x": 1, "a": [1, 2, 3],
    ]

    func exercise(_ source: String) {
        let limits = EvaluationLimits(maxSteps: 20_000, maxValueSize: 100_000, maxDepth: 100)
        do {
            _ = try Expression(source).evaluate(Self.variables, limits: limits)
        } catch {
            #expect(!error.message.isEmpty)
        }
    }

    @Test("random token soups")
    func randomSoups() {
        var generator = SeededGenerator(state: 42)
        for _ in 0..<3000 {
            let count = Int.random(in: 1...25, using: &generator)
            let source = (0..<count).map { _ in Self.fragments.randomElement(using: &generator) ?? "" }.joined()
            exercise(source)
        }
    }

    @Test("mutations of valid expressions")
    func mutations() {
        var generator = SeededGenerator(state: 7)
        for _ in 0..<3000 {
            var scalars = Array((Self.seeds.randomElement(using: &generator) ?? "").unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !scalars.isEmpty {
                let index = Int.random(in: 0..<scalars.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: scalars.remove(at: index)
                case 1: scalars.insert(Self.fragments.randomElement(using: &generator)?.unicodeScalars.first ?? "x", at: index)
                default: scalars.swapAt(index, Int.random(in: 0..<scalars.count, using: &generator))
                }
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            exercise(String(text))
        }
    }
}

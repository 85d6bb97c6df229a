import Foundation
import SluiceCore
import SluiceExpressions
import Testing

/// Expressions and the values Node.js 20 gives for them (computed with `node` when the table was
/// written: `JSON.stringify` of the result, or `undefined`), evaluated with the same variables —
/// Tests/Fixtures/javascript-parity.json, which the worker's JavaScript engine is checked against too.
@Suite("Expressions evaluate as JavaScript does")
struct JavaScriptParityTests {
    static let corpus: JSONValue = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/javascript-parity.json")
        return (try? String(contentsOf: file, encoding: .utf8)).flatMap { try? JSONValue(parsing: $0) } ?? .null
    }()

    static let variables: [String: JSONValue?] = {
        var variables: [String: JSONValue?] = [:]
        for (key, value) in corpus["variables"]?.memberList ?? [] { variables[key] = value }
        return variables
    }()

    static let cases: [(String, String)] = (corpus["cases"]?.arrayValue ?? []).compactMap { entry in
        guard let source = entry["source"]?.stringValue, let expected = entry["expected"]?.stringValue else { return nil }
        return (source, expected)
    }

    @Test("the corpus is there")
    func corpusLoaded() {
        #expect(Self.cases.count > 100)
    }

    @Test("each construct gives the value JavaScript gives", arguments: cases)
    func parity(source: String, expected: String) throws {
        let expression = try Expression(source)
        let value = try expression.evaluate(Self.variables)
        #expect((value?.jsonText ?? "undefined") == expected, "\(source)")
    }
}

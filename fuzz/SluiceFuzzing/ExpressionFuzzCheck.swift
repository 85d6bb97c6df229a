import SluiceCore
import SluiceExpressions

/// The expression interpreter: any text (as UTF-8, lossily decoded) is parsed and evaluated
/// against a small scope under tight limits, or refused with an ``ExpressionError`` that has a
/// message and a position inside the source. Hangs and runaway memory are the fuzzer's to find
/// (its `-timeout` and `-rss_limit_mb`); the limits must stop every loop first.
public enum ExpressionFuzzCheck: FuzzCheck {
    public static let name = "expressions"

    static let scope: [String: JSONValue?] = [
        "flow_input": ["user": "ada", "count": 4, "tags": ["a", "b"], "nested": ["deep": [1, 2, ["x": nil]]]],
        "results": ["a": ["items": [["id": 1], ["id": 2]], "text": "héllo 😀"], "b": 2.5],
        "previous_result": ["ok": true], "resume": ["reason": "ok"], "resumes": [["reason": "ok"]], "approvers": ["alice", "anonymous"],
    ]

    static let limits = EvaluationLimits(maxSteps: 20_000, maxValueSize: 1 << 16, maxDepth: 100)

    public static func problems(_ input: [UInt8]) -> [String] {
        let source = String(decoding: input, as: UTF8.self)
        let length = source.unicodeScalars.count
        do {
            let expression = try Expression(source)
            _ = expression.freeVariables
            _ = try expression.evaluate(scope, limits: limits)
            return []
        } catch {
            var problems: [String] = []
            if error.message.isEmpty { problems.append("an error without a message (\(error.kind))") }
            if error.position < 0 || error.position > length { problems.append("an error position \(error.position) outside the source (\(length))") }
            return problems
        }
    }
}

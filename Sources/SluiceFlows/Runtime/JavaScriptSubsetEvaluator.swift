public import SluiceCore
import SluiceExpressions
import Synchronization

/// The live ``ExpressionEvaluator``: Sluice's JavaScript-subset interpreter, with parsed
/// expressions cached by source (flows evaluate the same few expressions again and again).
public final class JavaScriptSubsetEvaluator: ExpressionEvaluator {
    private let cache = Mutex<[String: Expression]>([:])
    private let limits: EvaluationLimits

    public init(maxSteps: Int = 100_000, maxValueSize: Int = 1 << 20) {
        limits = EvaluationLimits(maxSteps: maxSteps, maxValueSize: maxValueSize)
    }

    public func evaluate(_ source: String, variables: [String: JSONValue?]) throws -> JSONValue? {
        let expression: Expression
        if let cached = cache.withLock({ $0[source] }) {
            expression = cached
        } else {
            expression = try Expression(source)
            cache.withLock { cache in
                if cache.count > 4096 { cache.removeAll() }
                cache[source] = expression
            }
        }
        return try expression.evaluate(variables, limits: limits)
    }
}

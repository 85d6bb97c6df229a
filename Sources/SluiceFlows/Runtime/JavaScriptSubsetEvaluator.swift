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

    public func evaluate(_ source: String, variables: [String: JSONValue?], references: [Reference: ResolvedReference], secrets: [String]) throws
        -> JSONValue?
    {
        try parsed(source).evaluate(variables, references: references, secrets: secrets, limits: limits)
    }

    public func references(in source: String) -> Set<Reference> {
        (try? parsed(source))?.references ?? []
    }

    private func parsed(_ source: String) throws -> Expression {
        if let cached = cache.withLock({ $0[source] }) { return cached }
        let expression = try Expression(source)
        cache.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[source] = expression
        }
        return expression
    }
}

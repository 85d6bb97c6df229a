public import SluiceCore
import SluiceExpressions
import Synchronization

/// The live ``ExpressionEvaluator``: each expression classified once (``WindmillExpression``) and
/// cached by source (flows evaluate the same few again and again). Within the subset it runs
/// in-process, bounded, secrets kept whole; an empty expression is `null`; a whole `$res:`/`$var:`
/// expression is that reference; anything else goes to the JavaScript `engine` — never with a
/// secret in reach, since an engine cannot keep a secret whole as the subset does.
public final class JavaScriptSubsetEvaluator: ExpressionEvaluator {
    private let cache = Mutex<[String: WindmillExpression]>([:])
    private let limits: EvaluationLimits
    private let engine: (any ExpressionEngine)?

    public init(maxSteps: Int = 100_000, maxValueSize: Int = 1 << 20, engine: (any ExpressionEngine)? = nil) {
        limits = EvaluationLimits(maxSteps: maxSteps, maxValueSize: maxValueSize)
        self.engine = engine
    }

    /// The name under which a flow passes the top-level module ids (for the legacy `step(i)`).
    public static let stepsVariable = WindmillExpression.stepsVariable

    public func evaluate(_ source: String, variables: [String: JSONValue?], references: [Reference: ResolvedReference], secrets: [String]) throws
        -> JSONValue?
    {
        switch try classified(source) {
        case .empty:
            return .null
        case .reference(let reference):
            switch references[reference] {
            case .value(let value)?: return value
            case .failure(let message)?: throw FlowRuntimeError(message)
            case nil: throw FlowRuntimeError("\(reference.marker) was not resolved")
            }
        case .subset(let expression):
            return try expression.evaluate(variables, references: references, secrets: secrets, limits: limits)
        case .engine(let code, let named):
            guard let engine else {
                throw FlowRuntimeError("this expression is beyond Sluice's JavaScript subset and no JavaScript engine is configured here")
            }
            if !secrets.isEmpty, named.contains(where: { reference in references[reference].map { Self.holds($0, secrets) } ?? false }) {
                throw FlowRuntimeError(
                    "this expression reads a secret and needs a JavaScript engine, which cannot keep a secret whole; "
                        + "write it within Sluice's subset (docs/flows.md) or pass the secret to the step as it is")
            }
            var scope = variables
            let steps = scope.removeValue(forKey: Self.stepsVariable).flatMap { $0 }?.arrayValue?.compactMap(\.stringValue) ?? []
            return try engine.evaluate(code, variables: scope, references: references, steps: steps)
        }
    }

    public func references(in source: String) -> Set<Reference> {
        (try? classified(source))?.references ?? []
    }

    private static func holds(_ resolved: ResolvedReference, _ secrets: [String]) -> Bool {
        guard case .value(let value) = resolved else { return false }
        return SecretRedactor(secrets).reveals(value)
    }

    /// `source` classified, from the cache when it was seen before.
    func classified(_ source: String) throws -> WindmillExpression {
        if let cached = cache.withLock({ $0[source] }) { return cached }
        let expression = try WindmillExpression(source)
        cache.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[source] = expression
        }
        return expression
    }
}

public import SluiceCore

/// Evaluates `type: javascript` expressions for the flow runtime. The live implementation is
/// ``JavaScriptSubsetEvaluator`` (SluiceExpressions); the seam keeps the decisions independent of it.
public protocol ExpressionEvaluator: Sendable {
    /// The value of `source` with `variables` in scope and `references` answering `variable()` and
    /// `resource()`; `nil` is JavaScript's `undefined`. The `secrets` among the references may be
    /// passed on as they are, never looked into (docs/variables.md, "Secrets in expressions").
    func evaluate(_ source: String, variables: [String: JSONValue?], references: [Reference: ResolvedReference], secrets: [String]) throws
        -> JSONValue?

    /// The variables and resources `source` names with `variable('PATH')` and `resource('PATH')`
    /// (empty when it does not parse: evaluating it fails anyway).
    func references(in source: String) -> Set<Reference>
}

extension ExpressionEvaluator {
    /// The value of `source` with `variables` in scope and no variables or resources resolved.
    public func evaluate(_ source: String, variables: [String: JSONValue?]) throws -> JSONValue? {
        try evaluate(source, variables: variables, references: [:], secrets: [])
    }
}

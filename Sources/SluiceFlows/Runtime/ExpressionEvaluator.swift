public import SluiceCore

/// Evaluates `type: javascript` expressions for the flow runtime. The live implementation is
/// ``JavaScriptSubsetEvaluator`` (SluiceExpressions); the seam keeps the decisions independent of it.
public protocol ExpressionEvaluator: Sendable {
    /// The value of `source` with `variables` in scope; `nil` is JavaScript's `undefined`.
    func evaluate(_ source: String, variables: [String: JSONValue?]) throws -> JSONValue?
}

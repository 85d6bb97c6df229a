public import SluiceCore

/// A real JavaScript engine for the expressions beyond the in-process subset (statements, block
/// bodies, any built-in). The worker's is a warm, permission-less Deno in the job sandbox; the
/// flow decisions only see this seam.
public protocol ExpressionEngine: Sendable {
    /// The value of `code` (wrapped as Windmill wraps it) with `variables` in scope, `references`
    /// answering `variable()`/`resource()` and `steps` (the top-level module ids, in order) for the
    /// legacy `step(i)`; JSON's `null` for `undefined`. Throws with the engine's message.
    func evaluate(_ code: String, variables: [String: JSONValue?], references: [Reference: ResolvedReference], steps: [String]) throws
        -> JSONValue
}

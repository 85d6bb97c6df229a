public import SluiceCore

/// A JavaScript expression in the subset Sluice evaluates (docs/flows.md lists it): parsed once,
/// evaluated many times, never with access to anything but the variables it is given, and always
/// within ``EvaluationLimits``.
public struct Expression: Sendable {
    /// The text as written.
    public let source: String
    let root: Node

    /// Parses `source`. Syntax outside the subset fails here, naming the construct and its position.
    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        var parser = try Parser(source: source)
        root = try parser.parseExpression()
    }

    /// The identifiers the expression reads from its scope (not arrow parameters, not globals).
    public var freeVariables: Set<String> {
        var names = Set<String>()
        root.collectFreeVariables(bound: [], into: &names)
        return names.subtracting(Globals.names)
    }

    /// Whether the expression names the legacy `step(i)` (a global), which may read any module's result.
    public var namesStep: Bool {
        var names = Set<String>()
        root.collectFreeVariables(bound: [], into: &names)
        return names.contains("step")
    }

    /// The members the expression reads from the variable `name` by a fixed name (`results.build`,
    /// `results["build"]`), or `nil` when it uses the variable whole or with a computed key — then
    /// any member may be read.
    public func memberReads(of name: String) -> Set<String>? {
        var names = Set<String>()
        var dynamic = false
        root.collectMemberReads(of: name, bound: [], into: &names, dynamic: &dynamic)
        return dynamic ? nil : names
    }

    /// The variables and resources the expression reads with `variable('PATH')` and
    /// `resource('PATH')` (paths written as string literals), to be resolved before it is evaluated.
    public var references: Set<Reference> {
        var found = Set<Reference>()
        var dynamic: (name: String, position: Int)?
        root.collectReferences(bound: [], into: &found, dynamic: &dynamic)
        return found
    }

    /// The first `variable(…)` or `resource(…)` call whose path is not a string literal (it
    /// cannot be resolved before the evaluation), with its position; `nil` when there is none.
    public var dynamicReference: (name: String, position: Int)? {
        var found = Set<Reference>()
        var dynamic: (name: String, position: Int)?
        root.collectReferences(bound: [], into: &found, dynamic: &dynamic)
        return dynamic
    }

    /// Evaluates with `variables` in scope (a variable bound to `nil` is `undefined`) and
    /// `references` answering `variable()` and `resource()`. Returns `nil` for `undefined`. An
    /// identifier missing from `variables` is a reference error.
    ///
    /// `secrets` are the secret values among the references: the evaluation may pass them on as
    /// they are — alone, inside a string (`+`, template literals), an array or an object — but any
    /// operation that would look into one (compare, measure, index, transform, convert, test its
    /// truth) fails with an ``ExpressionError/Kind/secret`` error, so a value derived from a
    /// secret always holds it verbatim and is masked wherever it is kept.
    public func evaluate(
        _ variables: [String: JSONValue?], references: [Reference: ResolvedReference] = [:], secrets: [String] = [],
        limits: EvaluationLimits = .default
    ) throws(ExpressionError) -> JSONValue? {
        var evaluator = Evaluator(variables: variables, references: references, secrets: secrets, limits: limits)
        let value = try evaluator.evaluate(root, scope: [:])
        return try value.toJSON(limits: limits)
    }
}

/// Bounds on one evaluation, so no input can hang or exhaust the worker.
public struct EvaluationLimits: Sendable, Equatable {
    /// Nodes evaluated plus callback iterations.
    public var maxSteps: Int
    /// Largest string (in UTF-8 bytes) or array/object (in elements) a step may produce.
    public var maxValueSize: Int
    /// Deepest nesting of calls and sub-expressions.
    public var maxDepth: Int
    /// Everything one evaluation may build, in estimated bytes (a string's UTF-8 bytes, 32 per
    /// array element, 64 per object member), counted as it is built: bounds its memory.
    public var maxAllocation: Int
    /// The longest one evaluation may run (checked every few steps).
    public var maxDuration: Duration

    public init(
        maxSteps: Int = 100_000, maxValueSize: Int = 1 << 20, maxDepth: Int = 200, maxAllocation: Int = 64 << 20,
        maxDuration: Duration = .seconds(1)
    ) {
        self.maxSteps = maxSteps
        self.maxValueSize = maxValueSize
        self.maxDepth = maxDepth
        self.maxAllocation = maxAllocation
        self.maxDuration = maxDuration
    }

    public static let `default` = EvaluationLimits()
}

/// Why an expression could not be parsed or evaluated, with the character offset it concerns.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not valid JavaScript.
        case syntax
        /// Valid JavaScript outside the supported subset.
        case unsupported
        /// A name that is not in scope.
        case reference
        /// An operation on a value of the wrong type (e.g. reading a property of undefined).
        case type
        /// A step, size, depth, memory or time limit was reached.
        case limit
        /// An operation would look into a secret value (compare, measure, transform it).
        case secret
    }

    public let kind: Kind
    public let message: String
    /// Offset in characters (Unicode scalars) from the start of the source.
    public let position: Int

    public init(_ kind: Kind, _ message: String, at position: Int) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String { "\(message) (at \(position))" }
}

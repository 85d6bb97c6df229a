import Foundation
public import SluiceCore

/// A `type: javascript` expression as Windmill users write it, classified once: what the
/// in-process subset evaluates, what only a JavaScript engine can (statements, block bodies,
/// anything beyond the subset), and Windmill's special forms.
///
/// Before classifying, the text is made what Windmill's evaluators made it: lines starting with
/// `import ` are dropped (the legacy `import { previous_result, flow_input, … } from 'windmill@1-1'`
/// prologue, which the 2022 evaluator stripped the same way), and the rest is trimmed.
public enum WindmillExpression: Sendable {
    /// Nothing left to evaluate (`expr: ''`): the value is `null`, as in Windmill.
    case empty
    /// The whole expression is a reference, `$res:PATH` or `$var:PATH` — the static values' form,
    /// written in a javascript transform: it stands for that resource or variable. (Windmill's
    /// current evaluator fails on it with a syntax error; Sluice resolves what its author meant.)
    case reference(Reference)
    /// Within the subset: evaluated in-process, bounded, secrets kept whole.
    case subset(Expression)
    /// Beyond the subset: evaluated by a JavaScript engine, as Windmill does. `references` are the
    /// `variable('…')`/`resource('…')` calls with a literal path, found by scanning the text.
    case engine(code: String, references: Set<Reference>)

    /// The variable under which a flow passes the ids of its top-level modules up to the current
    /// one (those before it), for the legacy `step(i)`.
    public static let stepsVariable = "__sluice_steps"

    /// Classifies `source`. Throws only for what no engine could make sense of either: a
    /// `variable()`/`resource()` whose path is not a string literal in subset code.
    public init(_ source: String) throws(ExpressionError) {
        let code = Self.normalized(source)
        if code.isEmpty {
            self = .empty
            return
        }
        if let reference = Reference(marker: code), !code.contains(where: \.isWhitespace) {
            self = .reference(reference)
            return
        }
        do {
            self = .subset(try Expression(code))
        } catch {
            guard error.kind == .unsupported || error.kind == .syntax else { throw error }
            self = .engine(code: code, references: Self.scanReferences(code))
        }
    }

    /// The text without `import …` lines, trimmed.
    public static func normalized(_ source: String) -> String {
        guard source.contains("import ") else { return source.trimmingCharacters(in: .whitespacesAndNewlines) }
        let kept = source.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.trimmingCharacters(in: .whitespaces).hasPrefix("import ")
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `variable('PATH')` / `resource("PATH")` calls with a literal path in JavaScript text.
    static func scanReferences(_ code: String) -> Set<Reference> {
        var found = Set<Reference>()
        for (name, kind) in Node.referenceFunctions {
            var rest = Substring(code)
            while let call = rest.range(of: name + "(") {
                let before = rest[..<call.lowerBound].last
                rest = rest[call.upperBound...]
                if let before, before.isLetter || before.isNumber || before == "_" || before == "." || before == "$" { continue }
                let argument = rest.drop(while: \.isWhitespace)
                guard let quote = argument.first, quote == "'" || quote == "\"" || quote == "`" else { continue }
                let afterQuote = argument.dropFirst()
                guard let end = afterQuote.firstIndex(of: quote) else { continue }
                let path = String(afterQuote[..<end])
                guard !path.contains("${"), afterQuote[afterQuote.index(after: end)...].drop(while: \.isWhitespace).first == ")" else {
                    continue
                }
                found.insert(Reference(kind, path))
            }
        }
        return found
    }

    /// The variables and resources the expression names (resolved before it is evaluated).
    public var references: Set<Reference> {
        switch self {
        case .empty: []
        case .reference(let reference): [reference]
        case .subset(let expression): expression.references
        case .engine(_, let references): references
        }
    }
}

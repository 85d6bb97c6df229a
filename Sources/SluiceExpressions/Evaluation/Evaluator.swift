import OrderedCollections
import SluiceCore

/// Evaluates a syntax tree. Counts every node and callback iteration against the step limit,
/// every nested evaluation against the depth limit, what it builds against the allocation limit,
/// and its running time against the time limit; checks the size of each value it builds; and
/// keeps secret values opaque (``SecretGuard``).
struct Evaluator {
    let variables: [String: JSONValue?]
    /// What `variable()` and `resource()` answer, resolved before the evaluation.
    let references: [Reference: ResolvedReference]
    /// The secret values among the references: passed on, never looked into.
    let secrets: [String]
    let limits: EvaluationLimits
    private var steps = 0
    private var depth = 0
    private var allocated = 0
    private let started = ContinuousClock.now
    /// Variables converted once on first use.
    private var converted: [String: JSValue] = [:]

    init(variables: [String: JSONValue?], references: [Reference: ResolvedReference] = [:], secrets: [String] = [], limits: EvaluationLimits) {
        self.variables = variables
        self.references = references
        self.secrets = secrets.filter { !$0.isEmpty }
        self.limits = limits
    }

    mutating func tick(_ position: Int) throws(ExpressionError) {
        steps += 1
        if steps > limits.maxSteps {
            throw ExpressionError(.limit, "evaluation exceeded \(limits.maxSteps) steps", at: position)
        }
        if steps & 31 == 0, ContinuousClock.now - started > limits.maxDuration {
            throw ExpressionError(.limit, "evaluation ran longer than \(limits.maxDuration)", at: position)
        }
    }

    /// Counts what building `value` cost (its own size; what it holds was counted when built).
    @discardableResult
    mutating func charge(_ value: JSValue, at position: Int) throws(ExpressionError) -> JSValue {
        switch value {
        case .string(let text): allocated += text.utf8.count
        case .array(let elements): allocated += 32 * elements.count
        case .object(let members): allocated += 64 * members.count
        default: return value
        }
        if allocated > limits.maxAllocation {
            throw ExpressionError(.limit, "evaluation built more than \(limits.maxAllocation >> 20) MiB of values", at: position)
        }
        return value
    }

    func checkSize(_ size: Int, at position: Int) throws(ExpressionError) {
        if size > limits.maxValueSize {
            throw ExpressionError(.limit, "value larger than \(limits.maxValueSize) (elements or bytes)", at: position)
        }
    }

    mutating func evaluate(_ node: Node, scope: [String: JSValue]) throws(ExpressionError) -> JSValue {
        try tick(node.position)
        depth += 1
        defer { depth -= 1 }
        if depth > limits.maxDepth { throw ExpressionError(.limit, "evaluation nested deeper than \(limits.maxDepth)", at: node.position) }
        switch node {
        case .literal(let literal, _):
            switch literal {
            case .number(let value): return .number(value)
            case .string(let value): return .string(value)
            case .bool(let value): return .bool(value)
            case .null: return .null
            case .undefined: return .undefined
            }
        case .template(let strings, let parts, let position):
            var text = strings.first ?? ""
            for (offset, part) in parts.enumerated() {
                text += try toStringForConcatenation(evaluate(part, scope: scope), at: part.position)
                if offset + 1 < strings.count { text += strings[offset + 1] }
                try checkSize(text.utf8.count, at: position)
            }
            return try charge(.string(text), at: position)
        case .identifier(let name, let position):
            return try lookup(name, scope: scope, at: position)
        case .array(let elements, let position):
            return try charge(.array(try spreadElements(elements, scope: scope, at: position)), at: position)
        case .object(let members, let position):
            return try charge(try objectLiteral(members, scope: scope, at: position), at: position)
        case .member, .index, .call:
            return try chainValue(node, scope: scope) ?? .undefined
        case .chain(let inner):
            return try chainValue(inner, scope: scope) ?? .undefined
        case .unary(let op, let operand, let position):
            if op == "typeof", case .identifier(let name, _) = operand, scope[name] == nil, variables[name] == nil, Globals.value(name) == nil {
                return .string("undefined")
            }
            let value = try evaluate(operand, scope: scope)
            if op != "typeof" { try guardSecrets(value, "the operator '\(op)'", at: position) }
            return try Operators.unary(op, value, at: position)
        case .binary(let op, let left, let right, let position):
            let lhs = try evaluate(left, scope: scope)
            let rhs = try evaluate(right, scope: scope)
            // Joining strings keeps a secret whole (and masked); every other operator looks into it.
            if !(op == "+" && (lhs.joinsAsText || rhs.joinsAsText)) {
                try guardSecrets(lhs, rhs, "the operator '\(op)'", at: position)
            }
            let value = try Operators.binary(op, lhs, rhs, at: position)
            if case .string(let text) = value {
                try checkSize(text.utf8.count, at: position)
                try charge(value, at: position)
            }
            return value
        case .logical(let op, let left, let right, let position):
            let lhs = try evaluate(left, scope: scope)
            switch op {
            case "&&":
                try guardTruth(lhs, at: position)
                return lhs.truthy ? try evaluate(right, scope: scope) : lhs
            case "||":
                try guardTruth(lhs, at: position)
                return lhs.truthy ? lhs : try evaluate(right, scope: scope)
            default: return lhs.isNullish ? try evaluate(right, scope: scope) : lhs
            }
        case .conditional(let test, let yes, let no, let position):
            let condition = try evaluate(test, scope: scope)
            try guardTruth(condition, at: position)
            return condition.truthy ? try evaluate(yes, scope: scope) : try evaluate(no, scope: scope)
        case .arrow(let parameters, let body, _):
            return .function(JSValue.Closure(parameters: parameters, body: body, scope: scope))
        }
    }

    private mutating func lookup(_ name: String, scope: [String: JSValue], at position: Int) throws(ExpressionError) -> JSValue {
        if let value = scope[name] { return value }
        if let cached = converted[name] { return cached }
        if let entry = variables[name] {
            let value = entry.map(JSValue.init) ?? .undefined
            converted[name] = value
            return value
        }
        if let global = Globals.value(name) { return global }
        throw ExpressionError(.reference, "\(name) is not defined", at: position)
    }

    // MARK: - Member access and calls

    /// The value of a member/index/call chain; `nil` when a `?.` short-circuited.
    private mutating func chainValue(_ node: Node, scope: [String: JSValue]) throws(ExpressionError) -> JSValue? {
        switch node {
        case .member(let objectNode, let name, let optional, let position):
            guard let object = try chainOperand(objectNode, scope: scope) else { return nil }
            if optional, object.isNullish { return nil }
            try guardSecretText(object, "reading '\(name)'", at: position)
            return try Properties.get(object, name, at: position)
        case .index(let objectNode, let keyNode, let optional, let position):
            guard let object = try chainOperand(objectNode, scope: scope) else { return nil }
            if optional, object.isNullish { return nil }
            let key = try evaluate(keyNode, scope: scope)
            try guardSecrets(key, "a computed member name", at: position)
            try guardSecretText(object, "indexing", at: position)
            return try Properties.get(object, key: key, at: position)
        case .call(let callee, let argumentNodes, let optional, let position):
            switch callee {
            case .member(let objectNode, let name, let memberOptional, let memberPosition):
                guard let object = try chainOperand(objectNode, scope: scope) else { return nil }
                if memberOptional, object.isNullish { return nil }
                if object.isNullish {
                    throw ExpressionError(.type, "Cannot read properties of \(object.toDisplayString()) (reading '\(name)')", at: memberPosition)
                }
                if optional, case .object(let members) = object, members[name]?.isNullish ?? true { return nil }
                let arguments = try spreadElements(argumentNodes, scope: scope, at: position)
                let what = if case .builtin(let namespace) = object { "\(namespace).\(name)()" } else { "the method '\(name)'" }
                try guardSecrets([object] + arguments, what, at: position)
                return try charge(try Methods.call(name, on: object, arguments: arguments, evaluator: &self, at: position), at: position)
            case .index(let objectNode, let keyNode, let memberOptional, _):
                guard let object = try chainOperand(objectNode, scope: scope) else { return nil }
                if memberOptional, object.isNullish { return nil }
                let key = try evaluate(keyNode, scope: scope)
                try guardSecrets(key, "a computed method name", at: position)
                let name = key.toDisplayString()
                if Parser.blockedProperties.contains(name) {
                    throw ExpressionError(.unsupported, "access to '\(name)' is not supported", at: position)
                }
                let arguments = try spreadElements(argumentNodes, scope: scope, at: position)
                try guardSecrets([object] + arguments, "the method '\(name)'", at: position)
                return try charge(try Methods.call(name, on: object, arguments: arguments, evaluator: &self, at: position), at: position)
            default:
                guard let function = try chainOperand(callee, scope: scope) else { return nil }
                if optional, function.isNullish { return nil }
                let arguments = try spreadElements(argumentNodes, scope: scope, at: position)
                if case .builtin(let name) = function { try guardSecrets(arguments, "\(name)()", at: position) }
                return try charge(try invoke(function, arguments, at: position), at: position)
            }
        default:
            return try evaluate(node, scope: scope)
        }
    }

    /// Evaluates the operand of a chain link, propagating a short-circuit from inside the chain.
    private mutating func chainOperand(_ node: Node, scope: [String: JSValue]) throws(ExpressionError) -> JSValue? {
        switch node {
        case .member, .index, .call:
            try tick(node.position)
            return try chainValue(node, scope: scope)
        default:
            return try evaluate(node, scope: scope)
        }
    }

    /// Calls a function value: an arrow function or a built-in.
    mutating func invoke(_ function: JSValue, _ arguments: [JSValue], at position: Int) throws(ExpressionError) -> JSValue {
        switch function {
        case .function(let closure):
            var scope = closure.scope
            for (offset, name) in closure.parameters.enumerated() {
                scope[name] = offset < arguments.count ? arguments[offset] : .undefined
            }
            return try evaluate(closure.body, scope: scope)
        case .builtin(let name):
            return try Globals.call(name, arguments, evaluator: &self, at: position)
        default:
            throw ExpressionError(
                .type, "\(function.typeofName == "undefined" ? "undefined" : function.toDisplayString()) is not a function", at: position)
        }
    }

    // MARK: - Literals

    private mutating func spreadElements(_ elements: [Node.Element], scope: [String: JSValue], at position: Int) throws(ExpressionError) -> [JSValue]
    {
        var values: [JSValue] = []
        for element in elements {
            switch element {
            case .value(let node):
                values.append(try evaluate(node, scope: scope))
            case .spread(let node):
                let spread = try evaluate(node, scope: scope)
                try guardSecretText(spread, "spreading", at: node.position)
                switch spread {
                case .array(let items): values.append(contentsOf: items)
                case .string(let text): values.append(contentsOf: text.map { .string(String($0)) })
                default: throw ExpressionError(.type, "\(spread.typeofName) is not iterable", at: node.position)
                }
            }
            try checkSize(values.count, at: position)
        }
        return values
    }

    private mutating func objectLiteral(_ members: [Node.Member], scope: [String: JSValue], at position: Int) throws(ExpressionError) -> JSValue {
        var object = OrderedDictionary<String, JSValue>()
        for member in members {
            switch member {
            case .property(let key, let node):
                object[key] = try evaluate(node, scope: scope)
            case .computed(let keyNode, let node):
                let keyValue = try evaluate(keyNode, scope: scope)
                try guardSecrets(keyValue, "a computed property name", at: keyNode.position)
                let key = keyValue.toDisplayString()
                if Parser.blockedProperties.contains(key) {
                    throw ExpressionError(.unsupported, "the property name '\(key)' is not supported", at: keyNode.position)
                }
                object[key] = try evaluate(node, scope: scope)
            case .spread(let node):
                let spread = try evaluate(node, scope: scope)
                try guardSecretText(spread, "spreading", at: node.position)
                switch spread {
                case .object(let members): for (key, value) in members { object[key] = value }
                case .array(let items): for (offset, item) in items.enumerated() { object[String(offset)] = item }
                case .string(let text): for (offset, character) in text.enumerated() { object[String(offset)] = .string(String(character)) }
                default: break
                }
            }
            try checkSize(object.count, at: position)
        }
        return .object(object)
    }

    func toStringForConcatenation(_ value: JSValue, at position: Int) throws(ExpressionError) -> String {
        value.toDisplayString()
    }
}

/// The syntax tree of a parsed expression. Every node keeps its source position for errors.
indirect enum Node: Sendable {
    case literal(Literal, Int)
    case template(strings: [String], parts: [Node], Int)
    case identifier(String, Int)
    case array([Element], Int)
    case object([Member], Int)
    case member(Node, String, optional: Bool, Int)
    case index(Node, Node, optional: Bool, Int)
    case call(Node, [Element], optional: Bool, Int)
    /// The end of a chain that contains `?.`: a short-circuit anywhere inside yields `undefined`.
    case chain(Node)
    case unary(String, Node, Int)
    case binary(String, Node, Node, Int)
    case logical(String, Node, Node, Int)
    case conditional(Node, Node, Node, Int)
    case arrow([String], Node, Int)

    enum Literal: Sendable {
        case number(Double)
        case string(String)
        case bool(Bool)
        case null
        case undefined
    }

    /// An array element or call argument.
    enum Element: Sendable {
        case value(Node)
        case spread(Node)
    }

    /// An object literal member.
    enum Member: Sendable {
        case property(String, Node)
        case computed(Node, Node)
        case spread(Node)
    }

    var position: Int {
        switch self {
        case .literal(_, let position), .template(_, _, let position), .identifier(_, let position), .array(_, let position),
            .object(_, let position), .member(_, _, _, let position), .index(_, _, _, let position), .call(_, _, _, let position),
            .unary(_, _, let position), .binary(_, _, _, let position), .logical(_, _, _, let position),
            .conditional(_, _, _, let position), .arrow(_, _, let position):
            position
        case .chain(let inner): inner.position
        }
    }

    /// Adds the identifiers read from the enclosing scope (not the names in `bound`) to `names`.
    func collectFreeVariables(bound: Set<String>, into names: inout Set<String>) {
        func each(_ elements: [Element]) {
            for element in elements {
                switch element {
                case .value(let node), .spread(let node): node.collectFreeVariables(bound: bound, into: &names)
                }
            }
        }
        switch self {
        case .literal: break
        case .identifier(let name, _): if !bound.contains(name) { names.insert(name) }
        case .template(_, let parts, _): for part in parts { part.collectFreeVariables(bound: bound, into: &names) }
        case .array(let elements, _): each(elements)
        case .object(let members, _):
            for member in members {
                switch member {
                case .property(_, let value), .spread(let value): value.collectFreeVariables(bound: bound, into: &names)
                case .computed(let key, let value):
                    key.collectFreeVariables(bound: bound, into: &names)
                    value.collectFreeVariables(bound: bound, into: &names)
                }
            }
        case .member(let object, _, _, _): object.collectFreeVariables(bound: bound, into: &names)
        case .index(let object, let key, _, _):
            object.collectFreeVariables(bound: bound, into: &names)
            key.collectFreeVariables(bound: bound, into: &names)
        case .call(let callee, let arguments, _, _):
            callee.collectFreeVariables(bound: bound, into: &names)
            each(arguments)
        case .chain(let inner): inner.collectFreeVariables(bound: bound, into: &names)
        case .unary(_, let operand, _): operand.collectFreeVariables(bound: bound, into: &names)
        case .binary(_, let left, let right, _), .logical(_, let left, let right, _):
            left.collectFreeVariables(bound: bound, into: &names)
            right.collectFreeVariables(bound: bound, into: &names)
        case .conditional(let test, let yes, let no, _):
            test.collectFreeVariables(bound: bound, into: &names)
            yes.collectFreeVariables(bound: bound, into: &names)
            no.collectFreeVariables(bound: bound, into: &names)
        case .arrow(let parameters, let body, _):
            body.collectFreeVariables(bound: bound.union(parameters), into: &names)
        }
    }
}

extension Node {
    /// Adds to `names` the members read from the free variable `variable` by name
    /// (`variable.x`, `variable?.x`, `variable["x"]`); sets `dynamic` when the variable is used
    /// any other way (passed whole, indexed by a computed key), so all of it may be read.
    func collectMemberReads(of variable: String, bound: Set<String>, into names: inout Set<String>, dynamic: inout Bool) {
        if bound.contains(variable) { return }
        switch self {
        case .member(.identifier(let name, _), let property, _, _) where name == variable:
            names.insert(property)
            return
        case .index(.identifier(let name, _), .literal(.string(let key), _), _, _) where name == variable:
            names.insert(key)
            return
        case .identifier(let name, _):
            if name == variable { dynamic = true }
            return
        default:
            break
        }
        for child in children {
            child.collectMemberReads(of: variable, bound: boundInside(bound), into: &names, dynamic: &dynamic)
        }
    }

    /// The names bound for this node's children (an arrow function's parameters).
    private func boundInside(_ bound: Set<String>) -> Set<String> {
        if case .arrow(let parameters, _, _) = self { return bound.union(parameters) }
        return bound
    }

    /// The node's direct sub-expressions.
    var children: [Node] {
        func nodes(_ elements: [Element]) -> [Node] {
            elements.map { element in
                switch element {
                case .value(let node), .spread(let node): node
                }
            }
        }
        switch self {
        case .literal, .identifier: return []
        case .template(_, let parts, _): return parts
        case .array(let elements, _): return nodes(elements)
        case .object(let members, _):
            return members.flatMap { member -> [Node] in
                switch member {
                case .property(_, let value), .spread(let value): [value]
                case .computed(let key, let value): [key, value]
                }
            }
        case .member(let object, _, _, _): return [object]
        case .index(let object, let key, _, _): return [object, key]
        case .call(let callee, let arguments, _, _): return [callee] + nodes(arguments)
        case .chain(let inner): return [inner]
        case .unary(_, let operand, _): return [operand]
        case .binary(_, let left, let right, _), .logical(_, let left, let right, _): return [left, right]
        case .conditional(let test, let yes, let no, _): return [test, yes, no]
        case .arrow(_, let body, _): return [body]
        }
    }
}

/// A Pratt parser for the supported JavaScript subset. Anything outside it fails with
/// ``ExpressionError/Kind/unsupported`` naming the construct; nesting is bounded.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    private var depth = 0
    static let maximumDepth = 200

    /// Words JavaScript reserves that start constructs Sluice does not evaluate.
    static let unsupportedWords: [String: String] = [
        "new": "'new'", "function": "function expressions", "class": "classes", "this": "'this'", "var": "declarations",
        "let": "declarations", "const": "declarations", "delete": "'delete'", "void": "'void'", "yield": "'yield'",
        "await": "'await'", "async": "async functions", "import": "'import'", "super": "'super'", "eval": "'eval'",
        "if": "statements", "for": "statements", "while": "statements", "do": "statements", "return": "statements",
        "throw": "statements", "try": "statements", "switch": "statements", "with": "'with'", "debugger": "statements",
        "arguments": "'arguments'", "globalThis": "'globalThis'", "Function": "'Function'", "Reflect": "'Reflect'",
        "Proxy": "'Proxy'", "require": "'require'", "process": "'process'",
    ]

    /// Property names that reach into JavaScript's machinery rather than data.
    static let blockedProperties: Set<String> = [
        "constructor", "__proto__", "prototype", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
    ]

    init(source: String, base: Int = 0) throws(ExpressionError) {
        var lexer = Lexer(source: source, base: base)
        tokens = try lexer.tokenize()
    }

    mutating func parseExpression() throws(ExpressionError) -> Node {
        let node = try expression()
        let token = current
        switch token.kind {
        case .end: return node
        case .punctuator(","): throw ExpressionError(.unsupported, "the comma operator is not supported", at: token.position)
        case .punctuator(";"): throw ExpressionError(.unsupported, "statements are not supported (';')", at: token.position)
        case .punctuator(let text)
        where ["=", "+=", "-=", "*=", "/=", "%=", "**=", "&&=", "||=", "??=", "<<=", ">>=", "&=", "|=", "^="].contains(text):
            throw ExpressionError(.unsupported, "assignment is not supported", at: token.position)
        case .punctuator("++"), .punctuator("--"):
            throw ExpressionError(.unsupported, "increment and decrement are not supported", at: token.position)
        default: throw ExpressionError(.syntax, "unexpected \(describe(token))", at: token.position)
        }
    }

    private var current: Token { tokens[min(index, tokens.count - 1)] }

    private func peek(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let token = current
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func expect(_ punctuator: String) throws(ExpressionError) -> Token {
        guard current.isPunctuator(punctuator) else {
            throw ExpressionError(.syntax, "expected '\(punctuator)' but found \(describe(current))", at: current.position)
        }
        return advance()
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .number(let value): "number \(value)"
        case .string: "a string"
        case .template: "a template literal"
        case .identifier(let name): "'\(name)'"
        case .punctuator(let text): "'\(text)'"
        case .end: "the end of the expression"
        }
    }

    private mutating func enter(_ position: Int) throws(ExpressionError) {
        depth += 1
        if depth > Self.maximumDepth { throw ExpressionError(.limit, "expression nested too deeply", at: position) }
    }

    private mutating func leave() { depth -= 1 }

    /// Chains (`a.b.c…`, `1 + 2 + 3…`) are parsed in a loop but make trees as deep as they are
    /// long; they are bounded like nesting, so no tree is deep enough to exhaust the stack.
    private func checkChainLength(_ length: Int, at position: Int) throws(ExpressionError) {
        if depth + length > Self.maximumDepth {
            throw ExpressionError(.limit, "expression nested too deeply (a chain longer than \(Self.maximumDepth))", at: position)
        }
    }

    // MARK: - Precedence levels

    private mutating func expression() throws(ExpressionError) -> Node {
        try enter(current.position)
        defer { leave() }
        if let arrow = try arrowFunction() { return arrow }
        let test = try nullishOrLogical()
        guard current.isPunctuator("?") else { return test }
        let position = advance().position
        let yes = try expression()
        _ = try expect(":")
        let no = try expression()
        return .conditional(test, yes, no, position)
    }

    /// `??` may not be mixed with `||`/`&&` without parentheses, as in JavaScript.
    private mutating func nullishOrLogical() throws(ExpressionError) -> Node {
        let left = try logicalOr()
        guard current.isPunctuator("??") else { return left }
        if case .logical(let op, _, _, let position) = left, op != "??" {
            throw ExpressionError(.syntax, "'??' cannot be mixed with '\(op)' without parentheses", at: position)
        }
        var node = left
        var count = 0
        while current.isPunctuator("??") {
            let position = advance().position
            count += 1
            try checkChainLength(count, at: position)
            let right = try logicalOr()
            if case .logical(let op, _, _, _) = right, op != "??" {
                throw ExpressionError(.syntax, "'??' cannot be mixed with '\(op)' without parentheses", at: position)
            }
            node = .logical("??", node, right, position)
        }
        if current.isPunctuator("||") || current.isPunctuator("&&") {
            throw ExpressionError(.syntax, "'??' cannot be mixed with '||' or '&&' without parentheses", at: current.position)
        }
        return node
    }

    private mutating func logicalOr() throws(ExpressionError) -> Node {
        try leftAssociative(["||"], logical: true) { (parser: inout Parser) throws(ExpressionError) in try parser.logicalAnd() }
    }

    private mutating func logicalAnd() throws(ExpressionError) -> Node {
        try leftAssociative(["&&"], logical: true) { (parser: inout Parser) throws(ExpressionError) in try parser.bitwise() }
    }

    /// `operand (op operand)*` for left-associative operators at one precedence level.
    private mutating func leftAssociative(
        _ operators: [String],
        logical: Bool = false,
        operand: (inout Parser) throws(ExpressionError) -> Node
    ) throws(ExpressionError) -> Node {
        var node = try operand(&self)
        var count = 0
        while let op = operators.first(where: current.isPunctuator) {
            let position = advance().position
            count += 1
            try checkChainLength(count, at: position)
            let right = try operand(&self)
            node = logical ? .logical(op, node, right, position) : .binary(op, node, right, position)
        }
        return node
    }

    private mutating func bitwise() throws(ExpressionError) -> Node {
        let node = try equality()
        for op in ["|", "^", "&"] where current.isPunctuator(op) {
            throw ExpressionError(.unsupported, "bitwise operator '\(op)' is not supported", at: current.position)
        }
        return node
    }

    private mutating func equality() throws(ExpressionError) -> Node {
        try leftAssociative(["===", "!==", "==", "!="]) { (parser: inout Parser) throws(ExpressionError) in try parser.relational() }
    }

    private mutating func relational() throws(ExpressionError) -> Node {
        var node = try shift()
        while true {
            if let op = ["<=", ">=", "<", ">"].first(where: current.isPunctuator) {
                let position = advance().position
                node = .binary(op, node, try shift(), position)
            } else if case .identifier(let word) = current.kind, word == "in" || word == "instanceof" {
                throw ExpressionError(.unsupported, "'\(word)' is not supported", at: current.position)
            } else {
                return node
            }
        }
    }

    private mutating func shift() throws(ExpressionError) -> Node {
        let node = try additive()
        for op in [">>>", "<<", ">>"] where current.isPunctuator(op) {
            throw ExpressionError(.unsupported, "shift operator '\(op)' is not supported", at: current.position)
        }
        return node
    }

    private mutating func additive() throws(ExpressionError) -> Node {
        try leftAssociative(["+", "-"]) { (parser: inout Parser) throws(ExpressionError) in try parser.multiplicative() }
    }

    private mutating func multiplicative() throws(ExpressionError) -> Node {
        try leftAssociative(["*", "/", "%"]) { (parser: inout Parser) throws(ExpressionError) in try parser.exponent() }
    }

    private mutating func exponent() throws(ExpressionError) -> Node {
        let start = current
        let base = try unary()
        guard current.isPunctuator("**") else { return base }
        if case .unary = base, !start.isPunctuator("(") {
            throw ExpressionError(.syntax, "a unary operator before '**' needs parentheses", at: current.position)
        }
        let position = advance().position
        try enter(position)
        defer { leave() }
        return .binary("**", base, try exponent(), position)
    }

    private mutating func unary() throws(ExpressionError) -> Node {
        if let op = ["!", "-", "+"].first(where: current.isPunctuator) {
            let position = advance().position
            try enter(position)
            defer { leave() }
            return .unary(op, try unary(), position)
        }
        if current.isPunctuator("~") { throw ExpressionError(.unsupported, "bitwise operator '~' is not supported", at: current.position) }
        if current.isPunctuator("++") || current.isPunctuator("--") {
            throw ExpressionError(.unsupported, "increment and decrement are not supported", at: current.position)
        }
        if case .identifier("typeof") = current.kind {
            let position = advance().position
            try enter(position)
            defer { leave() }
            return .unary("typeof", try unary(), position)
        }
        return try postfix()
    }

    // MARK: - Member access, calls, optional chaining

    private mutating func postfix() throws(ExpressionError) -> Node {
        var node = try primary()
        var sawOptional = false
        var links = 0
        while true {
            if current.isPunctuator(".") {
                let position = advance().position
                node = .member(node, try propertyName(), optional: false, position)
            } else if current.isPunctuator("?.") {
                let position = advance().position
                sawOptional = true
                if current.isPunctuator("[") {
                    _ = advance()
                    let key = try expression()
                    _ = try expect("]")
                    node = .index(node, key, optional: true, position)
                } else if current.isPunctuator("(") {
                    node = .call(node, try arguments(), optional: true, position)
                } else {
                    node = .member(node, try propertyName(), optional: true, position)
                }
            } else if current.isPunctuator("[") {
                let position = advance().position
                let key = try expression()
                _ = try expect("]")
                node = .index(node, key, optional: false, position)
            } else if current.isPunctuator("(") {
                let position = current.position
                node = .call(node, try arguments(), optional: false, position)
            } else if case .template = current.kind {
                throw ExpressionError(.unsupported, "tagged templates are not supported", at: current.position)
            } else {
                break
            }
            links += 1
            try checkChainLength(links, at: node.position)
        }
        return sawOptional ? .chain(node) : node
    }

    private mutating func propertyName() throws(ExpressionError) -> String {
        let token = advance()
        guard case .identifier(let name) = token.kind else {
            if token.isPunctuator("#") { throw ExpressionError(.unsupported, "private fields are not supported", at: token.position) }
            throw ExpressionError(.syntax, "expected a property name after '.' but found \(describe(token))", at: token.position)
        }
        if Self.blockedProperties.contains(name) {
            throw ExpressionError(.unsupported, "access to '\(name)' is not supported", at: token.position)
        }
        return name
    }

    private mutating func arguments() throws(ExpressionError) -> [Node.Element] {
        _ = try expect("(")
        return try elements(until: ")", allowingHoles: true)
    }

    /// Comma-separated values and spreads up to `closing` (consumed). Array literals refuse holes.
    private mutating func elements(until closing: String, allowingHoles: Bool) throws(ExpressionError) -> [Node.Element] {
        var elements: [Node.Element] = []
        while !current.isPunctuator(closing) {
            if !allowingHoles, current.isPunctuator(",") {
                throw ExpressionError(.unsupported, "array holes are not supported", at: current.position)
            }
            if current.isPunctuator("...") {
                _ = advance()
                elements.append(.spread(try expression()))
            } else {
                elements.append(.value(try expression()))
            }
            if current.isPunctuator(",") {
                _ = advance()
            } else if !current.isPunctuator(closing) {
                throw ExpressionError(.syntax, "expected ',' or '\(closing)' but found \(describe(current))", at: current.position)
            }
        }
        _ = advance()
        return elements
    }

    // MARK: - Primary expressions

    private mutating func primary() throws(ExpressionError) -> Node {
        let token = current
        switch token.kind {
        case .number(let value):
            _ = advance()
            return .literal(.number(value), token.position)
        case .string(let value):
            _ = advance()
            return .literal(.string(value), token.position)
        case .template(let strings, let sources):
            _ = advance()
            var parts: [Node] = []
            for (source, base) in sources {
                var parser = try Parser(source: source, base: base)
                parser.depth = depth
                parts.append(try parser.parseExpression())
            }
            return .template(strings: strings, parts: parts, token.position)
        case .identifier(let name):
            _ = advance()
            switch name {
            case "true": return .literal(.bool(true), token.position)
            case "false": return .literal(.bool(false), token.position)
            case "null": return .literal(.null, token.position)
            case "undefined": return .literal(.undefined, token.position)
            default:
                if let what = Self.unsupportedWords[name] {
                    throw ExpressionError(.unsupported, "\(what) \(what.hasSuffix("s") ? "are" : "is") not supported", at: token.position)
                }
                return .identifier(name, token.position)
            }
        case .punctuator("("):
            _ = advance()
            let inner = try expression()
            _ = try expect(")")
            return inner
        case .punctuator("["):
            return try arrayLiteral()
        case .punctuator("{"):
            return try objectLiteral()
        case .punctuator("/"), .punctuator("/="):
            throw ExpressionError(.unsupported, "regular expressions are not supported", at: token.position)
        case .punctuator("=>"):
            throw ExpressionError(.syntax, "unexpected '=>'", at: token.position)
        case .end:
            throw ExpressionError(.syntax, "unexpected end of the expression", at: token.position)
        case .punctuator(let text):
            throw ExpressionError(.syntax, "unexpected '\(text)'", at: token.position)
        }
    }

    private mutating func arrayLiteral() throws(ExpressionError) -> Node {
        let position = advance().position
        return .array(try elements(until: "]", allowingHoles: false), position)
    }

    private mutating func objectLiteral() throws(ExpressionError) -> Node {
        let position = advance().position
        var members: [Node.Member] = []
        while !current.isPunctuator("}") {
            let token = current
            if token.isPunctuator("...") {
                _ = advance()
                members.append(.spread(try expression()))
            } else if token.isPunctuator("[") {
                _ = advance()
                let key = try expression()
                _ = try expect("]")
                _ = try expect(":")
                members.append(.computed(key, try expression()))
            } else {
                let key: String
                switch token.kind {
                case .identifier(let name): key = name
                case .string(let text): key = text
                case .number(let number): key = JSValue.number(number).toDisplayString()
                default: throw ExpressionError(.syntax, "expected a property name but found \(describe(token))", at: token.position)
                }
                _ = advance()
                if Self.blockedProperties.contains(key) {
                    throw ExpressionError(.unsupported, "the property name '\(key)' is not supported", at: token.position)
                }
                if current.isPunctuator(":") {
                    _ = advance()
                    members.append(.property(key, try expression()))
                } else if current.isPunctuator(",") || current.isPunctuator("}"), case .identifier = token.kind {
                    members.append(.property(key, .identifier(key, token.position)))
                } else if current.isPunctuator("(") {
                    throw ExpressionError(.unsupported, "methods in object literals are not supported", at: current.position)
                } else {
                    throw ExpressionError(.syntax, "expected ':' after property name but found \(describe(current))", at: current.position)
                }
            }
            if current.isPunctuator(",") {
                _ = advance()
            } else if !current.isPunctuator("}") {
                throw ExpressionError(.syntax, "expected ',' or '}' but found \(describe(current))", at: current.position)
            }
        }
        _ = advance()
        return .object(members, position)
    }

    // MARK: - Arrow functions

    /// `x => body`, `(a, b) => body`, `() => body`; `nil` when the tokens ahead are not an arrow.
    private mutating func arrowFunction() throws(ExpressionError) -> Node? {
        let start = current
        if case .identifier(let name) = start.kind, peek(1).isPunctuator("=>") {
            index += 2
            return .arrow([name], try arrowBody(), start.position)
        }
        guard start.isPunctuator("("), let close = matchingParenthesis(), tokens[close + 1].isPunctuator("=>") else { return nil }
        _ = advance()
        var parameters: [String] = []
        while !current.isPunctuator(")") {
            let token = advance()
            switch token.kind {
            case .identifier(let name) where Self.unsupportedWords[name] == nil:
                parameters.append(name)
            case .punctuator("{"), .punctuator("["):
                throw ExpressionError(.unsupported, "destructuring parameters are not supported", at: token.position)
            case .punctuator("..."):
                throw ExpressionError(.unsupported, "rest parameters are not supported", at: token.position)
            default:
                throw ExpressionError(.syntax, "expected a parameter name but found \(describe(token))", at: token.position)
            }
            if current.isPunctuator("=") {
                throw ExpressionError(.unsupported, "default parameter values are not supported", at: current.position)
            }
            if current.isPunctuator(",") { _ = advance() }
        }
        _ = advance()
        _ = advance()
        return .arrow(parameters, try arrowBody(), start.position)
    }

    private mutating func arrowBody() throws(ExpressionError) -> Node {
        if current.isPunctuator("{") {
            throw ExpressionError(
                .unsupported, "arrow functions with a block body are not supported (wrap an object in parentheses)", at: current.position)
        }
        return try expression()
    }

    /// The index of the `)` matching the `(` at the current token, if any.
    private func matchingParenthesis() -> Int? {
        var level = 0
        var position = index
        while position < tokens.count {
            let token = tokens[position]
            if token.isPunctuator("(") || token.isPunctuator("[") || token.isPunctuator("{") {
                level += 1
            } else if token.isPunctuator(")") || token.isPunctuator("]") || token.isPunctuator("}") {
                level -= 1
                if level == 0 { return token.isPunctuator(")") ? position : nil }
            } else if case .end = token.kind {
                return nil
            }
            position += 1
        }
        return nil
    }
}

/// Splits an expression's source into tokens. Bounded: linear in the source length.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let base: Int
    private var index = 0

    /// `base` is the offset of `source` inside a larger expression (template parts), for positions.
    init(source: String, base: Int = 0) {
        scalars = Array(source.unicodeScalars)
        self.base = base
    }

    private static let punctuators: [String] = [
        "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
        "?.", "??", "=>", "==", "!=", "<=", ">=", "&&", "||", "**", "++", "--", "+=", "-=", "*=", "/=", "%=", "<<", ">>", "&=", "|=",
        "^=", "(", ")", "{", "}", "[", "]", ".", ",", ":", "?", "!", "<", ">", "+", "-", "*", "/", "%", "=", "&", "|", "^", "~", ";",
        "@", "#",
    ].sorted { $0.count > $1.count }

    mutating func tokenize() throws(ExpressionError) -> [Token] {
        var tokens: [Token] = []
        while true {
            try skipWhitespaceAndComments()
            guard index < scalars.count else {
                tokens.append(Token(kind: .end, position: base + index))
                return tokens
            }
            tokens.append(try nextToken())
            if tokens.count > 100_000 {
                throw ExpressionError(.limit, "expression too long", at: base + index)
            }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func skipWhitespaceAndComments() throws(ExpressionError) {
        while let scalar = peek() {
            if scalar.properties.isWhitespace || scalar == "\n" || scalar == "\r" || scalar == "\t" {
                index += 1
            } else if scalar == "/", peek(1) == "/" {
                while let next = peek(), next != "\n" { index += 1 }
            } else if scalar == "/", peek(1) == "*" {
                let start = index
                index += 2
                while index < scalars.count, !(peek() == "*" && peek(1) == "/") { index += 1 }
                guard index < scalars.count else { throw ExpressionError(.syntax, "unterminated comment", at: base + start) }
                index += 2
            } else {
                return
            }
        }
    }

    private mutating func nextToken() throws(ExpressionError) -> Token {
        let start = index
        guard let scalar = peek() else { return Token(kind: .end, position: base + start) }
        if Self.isDigit(scalar) || (scalar == "." && peek(1).map(Self.isDigit) == true) {
            return Token(kind: .number(try number()), position: base + start)
        }
        if scalar == "\"" || scalar == "'" {
            return Token(kind: .string(try string(quote: scalar)), position: base + start)
        }
        if scalar == "`" {
            return try template()
        }
        if Self.isIdentifierStart(scalar) {
            var name = String.UnicodeScalarView()
            while let next = peek(), Self.isIdentifierPart(next) {
                name.append(next)
                index += 1
            }
            return Token(kind: .identifier(String(name)), position: base + start)
        }
        if scalar == "\\" {
            throw ExpressionError(.unsupported, "unicode escapes in identifiers are not supported", at: base + start)
        }
        for punctuator in Self.punctuators where matches(punctuator) {
            // `?.` followed by a digit is `?` then a number (a ternary), as in JavaScript.
            if punctuator == "?.", let after = peek(2), Self.isDigit(after) { continue }
            index += punctuator.unicodeScalars.count
            return Token(kind: .punctuator(punctuator), position: base + start)
        }
        throw ExpressionError(.syntax, "unexpected character '\(scalar)'", at: base + start)
    }

    private func matches(_ text: String) -> Bool {
        var offset = 0
        for scalar in text.unicodeScalars {
            guard peek(offset) == scalar else { return false }
            offset += 1
        }
        return true
    }

    private mutating func number() throws(ExpressionError) -> Double {
        let start = index
        if peek() == "0", let radixMark = peek(1), "xXbBoO".unicodeScalars.contains(radixMark) {
            index += 2
            let radix = "xX".unicodeScalars.contains(radixMark) ? 16 : ("bB".unicodeScalars.contains(radixMark) ? 2 : 8)
            var digits = ""
            while let next = peek(), next.properties.isASCIIHexDigit {
                digits.unicodeScalars.append(next)
                index += 1
            }
            guard !digits.isEmpty, let value = UInt64(digits, radix: radix) else {
                throw ExpressionError(.syntax, "invalid number literal", at: base + start)
            }
            try rejectNumberSuffix()
            return Double(value)
        }
        var text = ""
        while let next = peek(), Self.isDigit(next) {
            text.unicodeScalars.append(next)
            index += 1
        }
        if peek() == ".", !(peek(1) == "." && peek(2) == ".") {
            text += "."
            index += 1
            while let next = peek(), Self.isDigit(next) {
                text.unicodeScalars.append(next)
                index += 1
            }
        }
        if let mark = peek(), mark == "e" || mark == "E" {
            var exponent = "e"
            var lookahead = 1
            if let sign = peek(1), sign == "+" || sign == "-" {
                exponent.unicodeScalars.append(sign)
                lookahead = 2
            }
            if let digit = peek(lookahead), Self.isDigit(digit) {
                index += lookahead
                text += exponent
                while let next = peek(), Self.isDigit(next) {
                    text.unicodeScalars.append(next)
                    index += 1
                }
            } else {
                throw ExpressionError(.syntax, "invalid number literal", at: base + start)
            }
        }
        try rejectNumberSuffix()
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text += "0" }
        guard let value = Double(text) else { throw ExpressionError(.syntax, "invalid number literal", at: base + start) }
        return value
    }

    private func rejectNumberSuffix() throws(ExpressionError) {
        guard let next = peek() else { return }
        if next == "n" { throw ExpressionError(.unsupported, "BigInt literals are not supported", at: base + index) }
        if next == "_" { throw ExpressionError(.unsupported, "numeric separators are not supported", at: base + index) }
        if Self.isIdentifierStart(next) || Self.isDigit(next) {
            throw ExpressionError(.syntax, "identifier directly after a number", at: base + index)
        }
    }

    private mutating func string(quote: Unicode.Scalar) throws(ExpressionError) -> String {
        let start = index
        index += 1
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            index += 1
            if scalar == quote { return String(value) }
            if scalar == "\n" || scalar == "\r" { break }
            if scalar == "\\" {
                try escape(into: &value)
            } else {
                value.append(scalar)
            }
        }
        throw ExpressionError(.syntax, "unterminated string", at: base + start)
    }

    private mutating func escape(into value: inout String.UnicodeScalarView) throws(ExpressionError) {
        let start = index - 1
        guard let escaped = peek() else { throw ExpressionError(.syntax, "unterminated escape", at: base + start) }
        index += 1
        switch escaped {
        case "n": value.append("\n")
        case "t": value.append("\t")
        case "r": value.append("\r")
        case "b": value.append("\u{08}")
        case "f": value.append("\u{0C}")
        case "v": value.append("\u{0B}")
        case "0" where !(peek().map(Self.isDigit) ?? false): value.append("\u{00}")
        case "\n": break
        case "x":
            value.append(try hexScalar(count: 2, at: start))
        case "u":
            if peek() == "{" {
                index += 1
                var digits = ""
                while let next = peek(), next != "}" {
                    digits.unicodeScalars.append(next)
                    index += 1
                    if digits.count > 6 { break }
                }
                guard peek() == "}", let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw ExpressionError(.syntax, "invalid unicode escape", at: base + start)
                }
                index += 1
                value.append(scalar)
            } else {
                let first = try hexValue(count: 4, at: start)
                if (0xD800...0xDBFF).contains(first), peek() == "\\", peek(1) == "u" {
                    index += 2
                    let second = try hexValue(count: 4, at: start)
                    if (0xDC00...0xDFFF).contains(second), let combined = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) {
                        value.append(combined)
                        return
                    }
                }
                value.append(Unicode.Scalar(first) ?? "\u{FFFD}")
            }
        default:
            if Self.isDigit(escaped) { throw ExpressionError(.unsupported, "octal escapes are not supported", at: base + start) }
            value.append(escaped)
        }
    }

    private mutating func hexValue(count: Int, at start: Int) throws(ExpressionError) -> UInt32 {
        var digits = ""
        for _ in 0..<count {
            guard let next = peek(), next.properties.isASCIIHexDigit else {
                throw ExpressionError(.syntax, "invalid escape sequence", at: base + start)
            }
            digits.unicodeScalars.append(next)
            index += 1
        }
        return UInt32(digits, radix: 16) ?? 0
    }

    private mutating func hexScalar(count: Int, at start: Int) throws(ExpressionError) -> Unicode.Scalar {
        Unicode.Scalar(try hexValue(count: count, at: start)) ?? "\u{FFFD}"
    }

    /// A template literal: its text parts and the source of each `${}` part (parsed later).
    private mutating func template() throws(ExpressionError) -> Token {
        let start = index
        index += 1
        var strings: [String] = []
        var expressions: [(String, Int)] = []
        var current = String.UnicodeScalarView()
        while let scalar = peek() {
            index += 1
            if scalar == "`" {
                strings.append(String(current))
                return Token(kind: .template(strings: strings, expressions: expressions), position: base + start)
            }
            if scalar == "\\" {
                try escape(into: &current)
            } else if scalar == "$", peek() == "{" {
                index += 1
                strings.append(String(current))
                current = String.UnicodeScalarView()
                let expressionStart = index
                var depth = 0
                var text = String.UnicodeScalarView()
                scan: while let next = peek() {
                    switch next {
                    case "{": depth += 1
                    case "}":
                        if depth == 0 { break scan }
                        depth -= 1
                    case "\"", "'", "`":
                        // Copy a nested string or template verbatim so its braces do not count.
                        let quote = next
                        text.append(next)
                        index += 1
                        while let inner = peek(), inner != quote {
                            text.append(inner)
                            index += 1
                            if inner == "\\", let escaped = peek() {
                                text.append(escaped)
                                index += 1
                            }
                        }
                    default: break
                    }
                    if let current = peek() { text.append(current) }
                    index += 1
                }
                guard peek() == "}" else { throw ExpressionError(.syntax, "unterminated ${ in template literal", at: base + expressionStart) }
                index += 1
                expressions.append((String(text), base + expressionStart))
            } else {
                current.append(scalar)
            }
        }
        throw ExpressionError(.syntax, "unterminated template literal", at: base + start)
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 48 && scalar.value <= 57
    }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "$" || scalar == "_" || scalar.properties.isIDStart
    }

    static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "$" || scalar == "_" || scalar.properties.isIDContinue || scalar == "\u{200C}" || scalar == "\u{200D}"
    }
}

/// The parameters of a TypeScript script's exported `main`, Windmill style:
/// `export async function main(a: string, b = 2) {…}` or `export const main = async (a: string) => …`.
///
/// Arguments are passed to `main` by these names, in this order (a missing one is `undefined`,
/// so its default applies). The scan understands comments, strings and template literals, and
/// nested brackets in types and defaults (`{a: string}[]`, `Record<string, number>`,
/// `(x: number) => void`, `= [1, 2]`). Destructured and rest parameters have no name to match an
/// argument to and are refused.
public enum TypeScriptSignature {
    /// The names of the parameters of the exported `entrypoint` (`main`, or a preprocessor's
    /// `preprocessor`), in order.
    public static func parameterNames(in script: String, entrypoint: String = "main") throws(ScriptSignatureError) -> [String] {
        let scalars = Array(script.unicodeScalars)
        guard let open = parameterListStart(of: entrypoint, in: scalars) else {
            throw ScriptSignatureError("the script exports no \(entrypoint) function (expected `export async function \(entrypoint)(…)`)")
        }
        var names: [String] = []
        var current: [Unicode.Scalar] = []
        var depth = 0
        var index = open
        while index < scalars.count {
            let scalar = scalars[index]
            if let end = skipTrivia(scalars, at: index) {
                current.append(" ")
                index = end
                continue
            }
            if let end = skipString(scalars, at: index) {
                current.append(contentsOf: scalars[index..<end])
                index = end
                continue
            }
            switch scalar {
            case "(", "[", "{", "<":
                depth += 1
            case ")", "]", "}", ">":
                if scalar == ">", index > 0, scalars[index - 1] == "=" { break }
                if depth == 0 {
                    guard scalar == ")" else { throw ScriptSignatureError("unbalanced brackets in main's parameters") }
                    try append(current, to: &names)
                    return names
                }
                depth -= 1
            case "," where depth == 0:
                try append(current, to: &names)
                current = []
                index += 1
                continue
            default:
                break
            }
            current.append(scalar)
            index += 1
        }
        throw ScriptSignatureError("main's parameter list is not closed")
    }

    private static func append(_ parameter: [Unicode.Scalar], to names: inout [String]) throws(ScriptSignatureError) {
        let text = String(String.UnicodeScalarView(parameter)).trimmingWhitespace
        if text.isEmpty { return }  // a trailing comma
        if text.hasPrefix("...") { throw ScriptSignatureError("rest parameters (\(text)) are not supported in main; name each parameter") }
        if text.hasPrefix("{") || text.hasPrefix("[") {
            throw ScriptSignatureError("destructured parameters are not supported in main; name each parameter")
        }
        let name = String(text.unicodeScalars.prefix { isIdentifier($0) }.map(Character.init))
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
            throw ScriptSignatureError("cannot read a parameter name in '\(text.prefix(40))'")
        }
        names.append(name)
    }

    /// The index just after `(` of the parameter list of the exported function `name`.
    private static func parameterListStart(of name: String, in scalars: [Unicode.Scalar]) -> Int? {
        var index = 0
        var words: [String] = []
        while index < scalars.count {
            if let end = skipTrivia(scalars, at: index) ?? skipString(scalars, at: index) {
                index = end
                continue
            }
            let scalar = scalars[index]
            if isIdentifier(scalar) {
                var end = index
                while end < scalars.count, isIdentifier(scalars[end]) { end += 1 }
                words.append(String(String.UnicodeScalarView(scalars[index..<end])))
                if words.count > 4 { words.removeFirst() }
                index = end
                continue
            }
            if scalar == "(", words.count >= 2, words.suffix(2) == ["function", name] {
                let prefix = words.dropLast(2)
                if prefix.last == "export" || prefix.suffix(2) == ["export", "async"] { return index + 1 }
            }
            if scalar == "=", words.count >= 3, words.suffix(3) == ["export", "const", name] || words.suffix(3) == ["export", "let", name] {
                // export const main = async (…) => / = (…) =>
                var next = index + 1
                while next < scalars.count, let end = skipTrivia(scalars, at: next) { next = end }
                if next + 5 <= scalars.count, String(String.UnicodeScalarView(scalars[next..<next + 5])) == "async" { next += 5 }
                while next < scalars.count, let end = skipTrivia(scalars, at: next) { next = end }
                if next < scalars.count, scalars[next] == "(" { return next + 1 }
            }
            words.append(String(scalar))
            if words.count > 4 { words.removeFirst() }
            index += 1
        }
        return nil
    }

    private static func isIdentifier(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar == "$" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }

    /// The end of whitespace or a comment starting at `index`, if one does.
    static func skipTrivia(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        let scalar = scalars[index]
        if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { return index + 1 }
        guard scalar == "/", index + 1 < scalars.count else { return nil }
        if scalars[index + 1] == "/" {
            var end = index + 2
            while end < scalars.count, scalars[end] != "\n" { end += 1 }
            return end
        }
        if scalars[index + 1] == "*" {
            var end = index + 2
            while end + 1 < scalars.count, !(scalars[end] == "*" && scalars[end + 1] == "/") { end += 1 }
            return min(scalars.count, end + 2)
        }
        return nil
    }

    /// The end of a string or template literal starting at `index`, if one does.
    static func skipString(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        let quote = scalars[index]
        if quote == "/" { return skipRegex(scalars, at: index) }
        guard quote == "\"" || quote == "'" || quote == "`" else { return nil }
        var end = index + 1
        while end < scalars.count, scalars[end] != quote {
            end += scalars[end] == "\\" ? 2 : 1
        }
        return min(scalars.count, end + 1)
    }
}

extension TypeScriptSignature {
    /// The index after a regular expression literal starting at `index` (its quotes are not
    /// strings: `/"[^"]+"/g`), or `nil` when the `/` there divides. A `/` starts a literal where
    /// an expression starts: after an operator or an opening bracket, not after a name, a number
    /// or a closing bracket. Comments are skipped before this is asked.
    fileprivate static func skipRegex(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        var before = index - 1
        while before >= 0, [" ", "\t", "\n", "\r"].contains(scalars[before]) { before -= 1 }
        if before >= 0, !"(,=:[!&|?{};+-*%<>~^".unicodeScalars.contains(scalars[before]) { return nil }
        var end = index + 1
        var inClass = false
        while end < scalars.count {
            switch scalars[end] {
            case "\\": end += 1
            case "[": inClass = true
            case "]": inClass = false
            case "/" where !inClass:
                end += 1
                while end < scalars.count, scalars[end].properties.isAlphabetic { end += 1 }
                return end
            case "\n": return nil
            default: break
            }
            end += 1
        }
        return nil
    }
}

/// A script whose entry point cannot be read.
public struct ScriptSignatureError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}

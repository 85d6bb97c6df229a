import OrderedCollections

extension JSONValue {
    /// The compact JSON text of this value, as `JSON.stringify` writes it.
    ///
    /// Numbers that are not finite have no JSON form and are written as `null`, as JavaScript does.
    public var jsonText: String {
        var output = ""
        write(to: &output, indent: nil, level: 0)
        return output
    }

    /// The compact JSON text with every object's members sorted by key: one text for values that
    /// differ only in member order (to compare or hash them).
    public var canonicalJSONText: String {
        switch self {
        case .array(let elements): return "[" + elements.map(\.canonicalJSONText).joined(separator: ",") + "]"
        case .object(let members):
            let sorted = members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            return "{" + sorted.map { JSONValue.string($0.key).jsonText + ":" + $0.value.canonicalJSONText }.joined(separator: ",") + "}"
        case .null, .bool, .number, .string: return jsonText
        }
    }

    /// The JSON text indented by two spaces per level, for people to read.
    public var prettyJSONText: String {
        var output = ""
        write(to: &output, indent: "  ", level: 0)
        return output
    }

    private func write(to output: inout String, indent: String?, level: Int) {
        switch self {
        case .null:
            output += "null"
        case .bool(let bool):
            output += bool ? "true" : "false"
        case .number(let number):
            output += JSONValue.format(number: number)
        case .string(let string):
            JSONValue.writeQuoted(string, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                JSONValue.newline(&output, indent: indent, level: level + 1)
                element.write(to: &output, indent: indent, level: level + 1)
            }
            JSONValue.newline(&output, indent: indent, level: level)
            output += "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            var first = true
            for (key, value) in members {
                if !first { output += "," }
                first = false
                JSONValue.newline(&output, indent: indent, level: level + 1)
                JSONValue.writeQuoted(key, to: &output)
                output += indent == nil ? ":" : ": "
                value.write(to: &output, indent: indent, level: level + 1)
            }
            JSONValue.newline(&output, indent: indent, level: level)
            output += "}"
        }
    }

    private static func newline(_ output: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        output += "\n"
        for _ in 0..<level { output += indent }
    }

    /// Formats a number the way JavaScript prints it for the common cases: integers without a
    /// fraction, other values in their shortest round-tripping form.
    public static func format(number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == 0 { return "0" }
        if number.rounded() == number, abs(number) < 1e21 {
            if abs(number) < 9.2e18 {
                return String(Int64(number))
            }
        }
        // Swift writes "1e-07"; JavaScript writes "1e-7".
        let text = String(number)
        guard let exponent = text.firstIndex(of: "e") else { return text }
        var digits = text[text.index(after: exponent)...]
        var sign = "+"
        if let first = digits.first, first == "-" || first == "+" {
            sign = String(first)
            digits = digits.dropFirst()
        }
        let trimmed = digits.drop { $0 == "0" }
        return text[..<exponent] + "e" + sign + (trimmed.isEmpty ? "0" : trimmed)
    }

    /// Appends `string` as a quoted JSON string literal.
    public static func writeQuoted(_ string: String, to output: inout String) {
        output += "\""
        var needsEscaping = false
        for byte in string.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            output += string
            output += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonText }
}

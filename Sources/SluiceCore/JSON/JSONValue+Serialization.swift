import OrderedCollections

extension JSONValue {
    /// The compact JSON text of this value, as `JSON.stringify` writes it.
    ///
    /// Numbers that are not finite have no JSON form and are written as `null`, as JavaScript does.
    public var jsonText: String {
        var output: [UInt8] = []
        write(to: &output, indent: nil, level: 0)
        return String(decoding: output, as: UTF8.self)
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
        var output: [UInt8] = []
        write(to: &output, indent: "  ", level: 0)
        return String(decoding: output, as: UTF8.self)
    }

    // Written as UTF-8 bytes, not appended to a String piece by piece: a long text is copied in
    // runs between the characters that need escaping.
    private func write(to output: inout [UInt8], indent: String?, level: Int) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let bool):
            output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .number(let number):
            output.append(contentsOf: JSONValue.format(number: number).utf8)
        case .string(let string):
            JSONValue.writeQuoted(string, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.newline(&output, indent: indent, level: level + 1)
                element.write(to: &output, indent: indent, level: level + 1)
            }
            JSONValue.newline(&output, indent: indent, level: level)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.newline(&output, indent: indent, level: level + 1)
                JSONValue.writeQuoted(key, to: &output)
                output.append(contentsOf: (indent == nil ? ":" : ": ").utf8)
                value.write(to: &output, indent: indent, level: level + 1)
            }
            JSONValue.newline(&output, indent: indent, level: level)
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ output: inout [UInt8], indent: String?, level: Int) {
        guard let indent else { return }
        output.append(UInt8(ascii: "\n"))
        for _ in 0..<level { output.append(contentsOf: indent.utf8) }
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
        var bytes: [UInt8] = []
        writeQuoted(string, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `string` as a quoted JSON string literal, in UTF-8: the runs between characters that
    /// need escaping are copied whole (a byte of a multi-byte character never needs escaping).
    static func writeQuoted(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                default:
                    let hex = String(byte, radix: 16)
                    output.append(contentsOf: (#"\u"# + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonText }
}

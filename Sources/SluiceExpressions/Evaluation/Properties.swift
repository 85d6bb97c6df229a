import OrderedCollections

/// Reading properties: own data only — no prototypes, nothing but the value's contents.
enum Properties {
    static func get(_ value: JSValue, _ name: String, at position: Int) throws(ExpressionError) -> JSValue {
        if Parser.blockedProperties.contains(name) {
            throw ExpressionError(.unsupported, "access to '\(name)' is not supported", at: position)
        }
        switch value {
        case .undefined, .null:
            throw ExpressionError(.type, "Cannot read properties of \(value.toDisplayString()) (reading '\(name)')", at: position)
        case .array(let elements):
            if name == "length" { return .number(Double(elements.count)) }
            if let index = arrayIndex(name), index < elements.count { return elements[index] }
            return .undefined
        case .string(let text):
            if name == "length" { return .number(Double(text.utf16.count)) }
            if let index = arrayIndex(name) { return character(of: text, at: index) }
            return .undefined
        case .object(let members):
            return members[name] ?? .undefined
        case .builtin(let namespace):
            return Globals.member(namespace, name) ?? .undefined
        case .bool, .number, .function:
            return .undefined
        }
    }

    static func get(_ value: JSValue, key: JSValue, at position: Int) throws(ExpressionError) -> JSValue {
        if case .number(let number) = key, number >= 0, number.rounded() == number, number < Double(Int.max) {
            switch value {
            case .array(let elements): return Int(number) < elements.count ? elements[Int(number)] : .undefined
            case .string(let text): return character(of: text, at: Int(number))
            default: break
            }
        }
        return try get(value, key.toDisplayString(), at: position)
    }

    static func arrayIndex(_ name: String) -> Int? {
        guard let first = name.first, first.isASCII, first.isNumber, name == "0" || first != "0" else { return nil }
        return Int(name)
    }

    /// The UTF-16 code unit at `index` as a one-character string, as JavaScript indexes strings.
    static func character(of text: String, at index: Int) -> JSValue {
        let units = Array(text.utf16)
        guard index >= 0, index < units.count else { return .undefined }
        return .string(String(decoding: [units[index]], as: UTF16.self))
    }
}

import OrderedCollections

/// String methods, indexing by UTF-16 code units as JavaScript does. Patterns are strings only:
/// regular expressions are not part of the subset.
enum StringMethods {
    static func call(_ name: String, _ text: String, _ arguments: [JSValue], evaluator: Evaluator, at position: Int) throws(ExpressionError)
        -> JSValue
    {
        let argument = arguments.first ?? .undefined
        let units = Array(text.utf16)
        func string(_ slice: ArraySlice<UInt16>) -> JSValue { .string(String(decoding: slice, as: UTF16.self)) }
        switch name {
        case "includes": return .bool(indexOf(Array(argument.toDisplayString().utf16), in: units, from: 0) != nil)
        case "startsWith": return .bool(units.starts(with: Array(argument.toDisplayString().utf16)))
        case "endsWith":
            let suffix = Array(argument.toDisplayString().utf16)
            return .bool(units.count >= suffix.count && Array(units.suffix(suffix.count)) == suffix)
        case "indexOf":
            let from = ArrayMethods.startIndex(arguments.count > 1 ? arguments[1] : .undefined, count: units.count)
            return .number(Double(indexOf(Array(argument.toDisplayString().utf16), in: units, from: from) ?? -1))
        case "lastIndexOf":
            let needle = Array(argument.toDisplayString().utf16)
            var found = -1
            var from = 0
            while let index = indexOf(needle, in: units, from: from) {
                found = index
                from = index + 1
                if from > units.count { break }
            }
            return .number(Double(found))
        case "slice":
            let (start, end) = ArrayMethods.range(arguments, count: units.count)
            return start < end ? string(units[start..<end]) : .string("")
        case "substring":
            let clamp = { (value: JSValue) -> Int in value.isUndefined ? units.count : min(max(0, value.toNumber.integerValue), units.count) }
            var start = arguments.isEmpty ? 0 : clamp(argument)
            var end = arguments.count > 1 ? clamp(arguments[1]) : units.count
            if start > end { swap(&start, &end) }
            return string(units[start..<end])
        case "toUpperCase", "toLocaleUpperCase": return .string(text.uppercased())
        case "toLowerCase", "toLocaleLowerCase": return .string(text.lowercased())
        case "trim": return .string(text.trimmingJSWhitespace())
        case "trimStart": return .string(text.trimmingJSWhitespace(trailing: false))
        case "trimEnd": return .string(text.trimmingJSWhitespace(leading: false))
        case "split":
            return try split(text, arguments, evaluator: evaluator, at: position)
        case "replace", "replaceAll":
            guard case .string(let pattern) = argument else {
                throw ExpressionError(.unsupported, "\(name) takes a string pattern (regular expressions are not supported)", at: position)
            }
            let replacement = arguments.count > 1 ? arguments[1] : .undefined
            if case .function = replacement {
                throw ExpressionError(.unsupported, "\(name) with a function replacement is not supported", at: position)
            }
            let result = replace(units, Array(pattern.utf16), with: Array(replacement.toDisplayString().utf16), all: name == "replaceAll")
            try evaluator.checkSize(result.count, at: position)
            return .string(String(decoding: result, as: UTF16.self))
        case "padStart", "padEnd":
            let length = argument.toNumber.integerValue
            try evaluator.checkSize(length, at: position)
            let fill = arguments.count > 1 && !arguments[1].isUndefined ? Array(arguments[1].toDisplayString().utf16) : [0x20]
            guard length > units.count, !fill.isEmpty else { return .string(text) }
            var padding: [UInt16] = []
            while padding.count < length - units.count { padding.append(fill[padding.count % fill.count]) }
            return .string(String(decoding: name == "padStart" ? padding + units : units + padding, as: UTF16.self))
        case "repeat":
            let count = argument.toNumber
            guard count >= 0, count.isFinite else { throw ExpressionError(.type, "Invalid count value: \(argument.toDisplayString())", at: position) }
            try evaluator.checkSize(Int(min(count * Double(text.utf8.count), Double(Int.max / 2))), at: position)
            return .string(String(repeating: text, count: Int(count)))
        case "at":
            var index = argument.toNumber.integerValue
            if index < 0 { index += units.count }
            return Properties.character(of: text, at: index)
        case "charAt":
            let index = argument.toNumber.integerValue
            return index >= 0 && index < units.count ? Properties.character(of: text, at: index) : .string("")
        case "charCodeAt":
            let index = argument.toNumber.integerValue
            return index >= 0 && index < units.count ? .number(Double(units[index])) : .number(.nan)
        case "concat":
            let result = arguments.reduce(text) { $0 + $1.toDisplayString() }
            try evaluator.checkSize(result.utf8.count, at: position)
            return .string(result)
        case "toString", "valueOf": return .string(text)
        case "localeCompare":
            let other = argument.toDisplayString()
            return .number(text == other ? 0 : (text < other ? -1 : 1))
        default:
            throw ExpressionError(.unsupported, "the string method '\(name)' is not supported", at: position)
        }
    }

    private static func split(_ text: String, _ arguments: [JSValue], evaluator: Evaluator, at position: Int) throws(ExpressionError) -> JSValue {
        let separatorValue = arguments.first ?? .undefined
        let limit = arguments.count > 1 && !arguments[1].isUndefined ? max(0, arguments[1].toNumber.integerValue) : Int.max
        guard !separatorValue.isUndefined else { return .array(limit == 0 ? [] : [.string(text)]) }
        guard case .string(let separator) = separatorValue else {
            throw ExpressionError(.unsupported, "split takes a string separator (regular expressions are not supported)", at: position)
        }
        let units = Array(text.utf16)
        let needle = Array(separator.utf16)
        var parts: [JSValue] = []
        if needle.isEmpty {
            for unit in units.prefix(limit) { parts.append(.string(String(decoding: [unit], as: UTF16.self))) }
            try evaluator.checkSize(parts.count, at: position)
            return .array(parts)
        }
        var start = 0
        while parts.count < limit, let found = indexOf(needle, in: units, from: start) {
            parts.append(.string(String(decoding: units[start..<found], as: UTF16.self)))
            start = found + needle.count
            try evaluator.checkSize(parts.count, at: position)
        }
        if parts.count < limit { parts.append(.string(String(decoding: units[start...], as: UTF16.self))) }
        return .array(parts)
    }

    static func indexOf(_ needle: [UInt16], in haystack: [UInt16], from start: Int) -> Int? {
        guard start <= haystack.count else { return nil }
        if needle.isEmpty { return start }
        guard needle.count <= haystack.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }

    private static func replace(_ units: [UInt16], _ pattern: [UInt16], with replacement: [UInt16], all: Bool) -> [UInt16] {
        var result: [UInt16] = []
        var start = 0
        while let found = indexOf(pattern, in: units, from: start) {
            result.append(contentsOf: units[start..<found])
            result.append(contentsOf: replacement)
            start = found + pattern.count
            if pattern.isEmpty {
                if found < units.count { result.append(units[found]) }
                start = found + 1
            }
            if !all || start > units.count { break }
        }
        if start <= units.count { result.append(contentsOf: units[start...]) }
        return result
    }
}

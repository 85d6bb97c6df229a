import OrderedCollections
import SluiceCore

/// A value during evaluation: JSON values plus what only exists inside JavaScript — `undefined`,
/// functions, and the built-in namespaces (`Math`, `JSON`, ...).
enum JSValue: Sendable {
    case undefined
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSValue])
    case object(OrderedDictionary<String, JSValue>)
    /// An arrow function with the scope it closed over.
    case function(Closure)
    /// A built-in function such as `Math.max`, or a namespace such as `Math`.
    case builtin(String)

    struct Closure: Sendable {
        let parameters: [String]
        let body: Node
        let scope: [String: JSValue]
    }

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .array(let elements): self = .array(elements.map(JSValue.init))
        case .object(let members): self = .object(members.mapValues(JSValue.init))
        }
    }

    /// The JSON form, as `JSON.stringify` would give it: `nil` for `undefined` and functions,
    /// object members that are `undefined` dropped, array elements that are `undefined` as null.
    func toJSON(limits: EvaluationLimits) throws(ExpressionError) -> JSONValue? {
        switch self {
        case .undefined, .function, .builtin: return nil
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value): return value.isFinite ? .number(value == 0 ? 0 : value) : .null
        case .string(let value): return .string(value)
        case .array(let elements):
            var converted: [JSONValue] = []
            converted.reserveCapacity(elements.count)
            for element in elements { converted.append(try element.toJSON(limits: limits) ?? .null) }
            return .array(converted)
        case .object(let members):
            var converted = OrderedDictionary<String, JSONValue>()
            for (key, value) in members {
                if let json = try value.toJSON(limits: limits) { converted[key] = json }
            }
            return .object(converted)
        }
    }

    var typeofName: String {
        switch self {
        case .undefined: "undefined"
        case .null, .array, .object: "object"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .function, .builtin: "function"
        }
    }

    var isNullish: Bool {
        switch self {
        case .undefined, .null: true
        default: false
        }
    }

    /// JavaScript's ToBoolean.
    var truthy: Bool {
        switch self {
        case .undefined, .null: false
        case .bool(let value): value
        case .number(let value): value != 0 && !value.isNaN
        case .string(let value): !value.isEmpty
        case .array, .object, .function, .builtin: true
        }
    }

    /// JavaScript's ToNumber.
    var toNumber: Double {
        switch self {
        case .undefined: .nan
        case .null: 0
        case .bool(let value): value ? 1 : 0
        case .number(let value): value
        case .string(let text): JSValue.parseNumber(text)
        case .array: JSValue.parseNumber(toDisplayString())
        case .object, .function, .builtin: .nan
        }
    }

    /// `Number("...")`: whitespace trimmed, empty is 0, decimal or 0x/0b/0o integers, else NaN.
    static func parseNumber(_ text: String) -> Double {
        let trimmed = text.trimmingJSWhitespace()
        if trimmed.isEmpty { return 0 }
        if trimmed == "Infinity" || trimmed == "+Infinity" { return .infinity }
        if trimmed == "-Infinity" { return -.infinity }
        let lower = trimmed.lowercased()
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8)] where lower.hasPrefix(prefix) {
            return UInt64(lower.dropFirst(2), radix: radix).map(Double.init) ?? .nan
        }
        guard trimmed.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) else { return .nan }
        return Double(trimmed) ?? .nan
    }

    /// JavaScript's ToString.
    func toDisplayString() -> String {
        switch self {
        case .undefined: return "undefined"
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
            return JSONValue.format(number: value)
        case .string(let value): return value
        case .array(let elements):
            return elements.map { $0.isNullish ? "" : $0.toDisplayString() }.joined(separator: ",")
        case .object: return "[object Object]"
        case .function: return "() => ..."
        case .builtin(let name): return "function \(name)() { [native code] }"
        }
    }
}

extension String {
    /// Trims JavaScript's whitespace (spaces, tabs, line breaks and the Unicode space separators).
    func trimmingJSWhitespace(leading: Bool = true, trailing: Bool = true) -> String {
        let scalars = Array(unicodeScalars)
        var start = 0
        var end = scalars.count
        if leading { while start < end, scalars[start].properties.isWhitespace || scalars[start] == "\u{FEFF}" { start += 1 } }
        if trailing { while end > start, scalars[end - 1].properties.isWhitespace || scalars[end - 1] == "\u{FEFF}" { end -= 1 } }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start..<end])
        return String(result)
    }
}

public import OrderedCollections

/// A JSON document as a Swift value: the arguments, results and payloads that flow through Sluice.
///
/// Objects keep their keys in insertion order, as JavaScript does, so a value read, transformed and
/// written again keeps the shape its author gave it. Numbers are IEEE doubles, as in JavaScript;
/// integral numbers are written without a fraction.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(OrderedDictionary<String, JSONValue>)

    /// An empty JSON object.
    public static let emptyObject: JSONValue = .object([:])

    /// The members of an object, or `nil` for any other value.
    public var objectValue: OrderedDictionary<String, JSONValue>? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The members of an object as key/value pairs in order, or `nil` for any other value.
    public var memberList: [(key: String, value: JSONValue)]? {
        guard case .object(let members) = self else { return nil }
        return members.map { (key: $0.key, value: $0.value) }
    }

    /// The elements of an array, or `nil` for any other value.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The string, or `nil` for any other value.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The number, or `nil` for any other value.
    public var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The number as an `Int` when it is integral and in range, else `nil`.
    public var intValue: Int? {
        guard case .number(let number) = self, number.rounded() == number, abs(number) < 9.007_199_254_740_992e15 else {
            return nil
        }
        return Int(number)
    }

    /// The boolean, or `nil` for any other value.
    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member `key` of an object; `nil` when this is not an object or has no such member.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The name of this value's JSON type, for error messages: `object`, `array`, `string`, ...
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var members = OrderedDictionary<String, JSONValue>()
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}

extension JSONValue {
    /// An object with `members` in the given order; a repeated key keeps its last value.
    public init(members: [(String, JSONValue)]) {
        var dictionary = OrderedDictionary<String, JSONValue>()
        for (key, value) in members { dictionary[key] = value }
        self = .object(dictionary)
    }

    /// This object with `key` set to `value` (added at the end when new); other values unchanged.
    public func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members[key] = value
        return .object(members)
    }

    /// An object of strings, keys sorted, for environments and other string maps.
    public init(strings: [String: String]) {
        self.init(members: strings.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}

import Foundation

/// The JSON Schema subset Windmill writes for flow inputs and approval forms: an object with
/// typed properties (`string`, `number`, `integer`, `boolean`, `array`, `object`), `required`,
/// `order`, `enum`, `default`, `description`, `title`, `minimum`/`maximum`, `minLength`/`maxLength`,
/// `pattern`, array `items` and `nullable`, and the standard `const`, `exclusiveMinimum`/`exclusiveMaximum`,
/// `multipleOf`, `minItems`/`maxItems`, `uniqueItems`. Annotations (`format`, `contentEncoding`, ...)
/// are kept but do not constrain; keywords only Windmill's UI or its AI helpers read (`x-windmill-*`,
/// `prompt_for_ai`, `min`/`max` on strings, ...) are kept, ignored and listed in `ignored`. Only the
/// keywords that change what is valid and that Sluice does not check (`oneOf`, `$ref`, ...) are refused.
public struct JSONSchema: Sendable, Equatable {
    /// The top-level properties, in display order (`order`, then declaration order).
    public let properties: [SchemaProperty]
    /// What the schema says of members not listed in `properties` (`additionalProperties`).
    public let additionalProperties: SchemaNode.AdditionalProperties
    /// The keywords kept but ignored, with where they are (`name: 'x-windmill-foo'`).
    public let ignored: [String]

    /// Reads a schema; anything outside the subset that would constrain values is an error — or,
    /// `lenient` (a flow's input schema, which Windmill does not enforce either), kept unchecked
    /// and listed in ``ignored``.
    public init(_ value: JSONValue, lenient: Bool = false) throws(SchemaError) {
        guard value.memberList != nil else { throw SchemaError("the schema must be an object") }
        let type = value["type"]?.stringValue ?? "object"
        guard type == "object" else { throw SchemaError("the schema's type must be 'object', got '\(type)'") }
        var ignored: [String] = []
        let node = try SchemaNode(value, at: "", lenient: lenient, ignored: &ignored)
        self.ignored = ignored
        var properties = node.properties
        if let order = value["order"]?.arrayValue?.compactMap(\.stringValue) {
            properties.sort { (order.firstIndex(of: $0.name) ?? Int.max, $0.position) < (order.firstIndex(of: $1.name) ?? Int.max, $1.position) }
        }
        self.properties = properties
        additionalProperties = node.additionalProperties
    }

    /// What a validation does with members an object's schema does not list, where the schema
    /// says nothing itself (no `additionalProperties`).
    public enum Unlisted: Sendable {
        /// Kept, as Windmill keeps them in a flow's input.
        case kept
        /// Refused: only what the form offers (an approval's payload).
        case refused
    }

    /// Checks `value` against the schema and returns it with defaults filled in. The first
    /// violation is thrown, naming the field: `flow_input.count: expected integer, got string`.
    /// Members the schema does not list follow `additionalProperties` (`false` refuses them,
    /// `true` or a schema keeps them), else `unlisted` — at every depth.
    public func validate(_ value: JSONValue, root: String = "flow_input", unlisted: Unlisted = .kept) throws(SchemaViolation) -> JSONValue {
        guard let members = value.memberList else {
            throw SchemaViolation(field: root, message: "expected an object, got \(value.typeName)")
        }
        return try SchemaProperty.validate(members, against: properties, additional: additionalProperties, unlisted: unlisted, at: root)
    }
}

/// One field of an object schema.
public struct SchemaProperty: Sendable, Equatable {
    public let name: String
    public let required: Bool
    public let schema: SchemaNode
    let position: Int

    /// Validates an object's members against its properties: each checked, defaults filled in,
    /// required ones demanded; other members kept or refused as `additional` (or else `unlisted`) says.
    static func validate(
        _ members: [(key: String, value: JSONValue)], against properties: [SchemaProperty], additional: SchemaNode.AdditionalProperties,
        unlisted: JSONSchema.Unlisted, at path: String
    ) throws(SchemaViolation) -> JSONValue {
        var result: [(String, JSONValue)] = []
        for property in properties {
            let child = "\(path).\(property.name)"
            if let given = members.first(where: { $0.key == property.name })?.value {
                result.append((property.name, try property.schema.validate(given, at: child, unlisted: unlisted)))
            } else if let fallback = property.schema.defaultValue {
                result.append((property.name, fallback))
            } else if property.required {
                throw SchemaViolation(field: child, message: "is required")
            }
        }
        let refused = additional == .refused || (additional == .unspecified && unlisted == .refused)
        for member in members where !properties.contains(where: { $0.name == member.key }) {
            if refused { throw SchemaViolation(field: "\(path).\(member.key)", message: "is not an accepted field") }
            result.append((member.key, member.value))
        }
        return JSONValue(members: result)
    }
}

/// The schema of one value: its type and constraints.
public struct SchemaNode: Sendable, Equatable {
    public enum ValueType: String, Sendable, Equatable {
        case string, number, integer, boolean, array, object
    }

    public let type: ValueType?
    public let title: String?
    public let description: String?
    public let defaultValue: JSONValue?
    public let choices: [JSONValue]?
    public let format: String?
    public let minimum: Double?
    public let maximum: Double?
    public let minLength: Int?
    public let maxLength: Int?
    public let pattern: String?
    public let exclusiveMinimum: Double?
    public let exclusiveMaximum: Double?
    public let multipleOf: Double?
    public let minItems: Int?
    public let maxItems: Int?
    public let uniqueItems: Bool
    public let constant: JSONValue?
    public let nullable: Bool
    public let items: [SchemaNode]
    public let properties: [SchemaProperty]
    /// `additionalProperties` of an object.
    public let additionalProperties: AdditionalProperties

    /// What an object's schema says of members its `properties` do not list.
    public enum AdditionalProperties: Sendable, Equatable {
        /// Nothing (no `additionalProperties`): the validation decides (``JSONSchema/Unlisted``).
        case unspecified
        /// `additionalProperties: false`.
        case refused
        /// `additionalProperties: true`, or a schema (kept as they are).
        case allowed
    }

    /// The keywords that constrain values and that Sluice checks.
    static let understood: Set<String> = [
        "type", "title", "description", "default", "enum", "format", "minimum", "maximum", "minLength", "maxLength", "pattern", "nullable",
        "items", "properties", "required", "order", "additionalProperties", "const", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minItems", "maxItems", "uniqueItems",
    ]
    /// Keywords that change what is valid and that Sluice does not check: refused, so a schema never
    /// accepts what its author meant to refuse.
    static let refused: Set<String> = [
        "oneOf", "anyOf", "allOf", "not", "$ref", "$defs", "definitions", "if", "then", "else", "patternProperties", "dependencies",
        "dependentRequired", "dependentSchemas", "contains", "minContains", "maxContains", "propertyNames", "minProperties", "maxProperties",
        "additionalItems", "prefixItems", "unevaluatedProperties", "unevaluatedItems",
    ]
    /// Keywords that only annotate (for forms and editors) and are safe to ignore.
    static let annotations: Set<String> = [
        "$schema", "$id", "contentEncoding", "enumLabels", "customErrorMessage", "disableCreate", "showExpr", "password", "placeholder",
        "examples", "readOnly", "writeOnly", "disableVariablePicker", "originalType", "dateFormat", "multiselect", "x-ui", "deprecated",
        "$comment", "disabled", "hidden",
    ]

    init(_ value: JSONValue, at location: String, lenient: Bool = false, ignored: inout [String]) throws(SchemaError) {
        guard let members = value.memberList else { throw SchemaError("\(location.isEmpty ? "schema" : location): expected an object") }
        for (key, _) in members where !Self.understood.contains(key) && !Self.annotations.contains(key) {
            if Self.refused.contains(key), !lenient {
                throw SchemaError("\(location.isEmpty ? "" : location + ": ")the keyword '\(key)' is not supported")
            }
            ignored.append("\(location.isEmpty ? "" : location + ": ")'\(key)'")
        }
        switch value["type"] {
        case .none, .null?: type = nil
        case .string(let name)?:
            guard let parsed = ValueType(rawValue: name) else { throw SchemaError("\(location): type '\(name)' is not supported") }
            type = parsed
        case .array(let names)?:
            // ["string", "null"] is a nullable string.
            let nonNull = names.compactMap(\.stringValue).filter { $0 != "null" }
            guard nonNull.count == 1, let parsed = ValueType(rawValue: nonNull[0]) else {
                throw SchemaError("\(location): a list of several types is not supported")
            }
            type = parsed
        case let other?: throw SchemaError("\(location): type must be a string, got \(other.typeName)")
        }
        title = value["title"]?.stringValue
        description = value["description"]?.stringValue
        defaultValue = value["default"].flatMap { $0.isNull ? JSONValue?.none : $0 }
        choices = value["enum"]?.arrayValue
        format = value["format"]?.stringValue
        minimum = value["minimum"]?.numberValue
        maximum = value["maximum"]?.numberValue
        minLength = value["minLength"]?.intValue
        maxLength = value["maxLength"]?.intValue
        pattern = value["pattern"]?.stringValue
        exclusiveMinimum = value["exclusiveMinimum"]?.numberValue
        exclusiveMaximum = value["exclusiveMaximum"]?.numberValue
        multipleOf = value["multipleOf"]?.numberValue
        if let multipleOf, multipleOf <= 0 { throw SchemaError("\(location): multipleOf must be positive") }
        minItems = value["minItems"]?.intValue
        maxItems = value["maxItems"]?.intValue
        uniqueItems = value["uniqueItems"]?.boolValue ?? false
        constant = value["const"]
        nullable = value["nullable"]?.boolValue ?? value["type"]?.arrayValue?.contains(.string("null")) ?? false
        if let pattern, (try? NSRegularExpression(pattern: pattern)) == nil {
            throw SchemaError("\(location): pattern '\(pattern)' is not a valid regular expression")
        }
        if let itemSchema = value["items"], !itemSchema.isNull {
            items = [try SchemaNode(itemSchema, at: location + "[]", lenient: lenient, ignored: &ignored)]
        } else {
            items = []
        }
        let required = Set(value["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        var properties: [SchemaProperty] = []
        for (position, member) in (value["properties"]?.memberList ?? []).enumerated() {
            let child = location.isEmpty ? member.key : "\(location).\(member.key)"
            properties.append(
                SchemaProperty(
                    name: member.key, required: required.contains(member.key),
                    schema: try SchemaNode(member.value, at: child, lenient: lenient, ignored: &ignored),
                    position: position))
        }
        self.properties = properties
        switch value["additionalProperties"] {
        case .none: additionalProperties = .unspecified
        case .bool(false)?: additionalProperties = .refused
        default: additionalProperties = .allowed
        }
    }

    /// Checks one value; returns it with nested defaults filled in.
    func validate(_ value: JSONValue, at path: String, unlisted: JSONSchema.Unlisted = .kept) throws(SchemaViolation) -> JSONValue {
        if value.isNull {
            if nullable || type == nil { return value }
            throw SchemaViolation(field: path, message: "expected \(type?.rawValue ?? "a value"), got null")
        }
        if let choices, !choices.contains(value) {
            let listed = choices.map(\.jsonText).joined(separator: ", ")
            throw SchemaViolation(field: path, message: "must be one of \(listed)")
        }
        if let constant, constant != value { throw SchemaViolation(field: path, message: "must be \(constant.jsonText)") }
        switch type {
        case .none:
            return value
        case .string?:
            guard case .string(let text) = value else { throw mismatch(value, path) }
            let length = text.count
            if let minLength, length < minLength { throw SchemaViolation(field: path, message: "must be at least \(minLength) characters") }
            if let maxLength, length > maxLength { throw SchemaViolation(field: path, message: "must be at most \(maxLength) characters") }
            if let pattern, let expression = try? NSRegularExpression(pattern: pattern) {
                let range = NSRange(text.startIndex..., in: text)
                if expression.firstMatch(in: text, range: range) == nil {
                    throw SchemaViolation(field: path, message: "must match the pattern \(pattern)")
                }
            }
            return value
        case .number?, .integer?:
            guard case .number(let number) = value else { throw mismatch(value, path) }
            if type == .integer, number.rounded() != number {
                throw SchemaViolation(field: path, message: "expected integer, got \(JSONValue.format(number: number))")
            }
            if let minimum, number < minimum { throw SchemaViolation(field: path, message: "must be ≥ \(JSONValue.format(number: minimum))") }
            if let maximum, number > maximum { throw SchemaViolation(field: path, message: "must be ≤ \(JSONValue.format(number: maximum))") }
            if let exclusiveMinimum, number <= exclusiveMinimum {
                throw SchemaViolation(field: path, message: "must be > \(JSONValue.format(number: exclusiveMinimum))")
            }
            if let exclusiveMaximum, number >= exclusiveMaximum {
                throw SchemaViolation(field: path, message: "must be < \(JSONValue.format(number: exclusiveMaximum))")
            }
            if let multipleOf {
                let quotient = number / multipleOf
                if abs(quotient - quotient.rounded()) > 1e-9 * max(1, abs(quotient)) {
                    throw SchemaViolation(field: path, message: "must be a multiple of \(JSONValue.format(number: multipleOf))")
                }
            }
            return value
        case .boolean?:
            guard case .bool = value else { throw mismatch(value, path) }
            return value
        case .array?:
            guard case .array(let elements) = value else { throw mismatch(value, path) }
            if let minItems, elements.count < minItems { throw SchemaViolation(field: path, message: "must have at least \(minItems) items") }
            if let maxItems, elements.count > maxItems { throw SchemaViolation(field: path, message: "must have at most \(maxItems) items") }
            if uniqueItems {
                for (index, element) in elements.enumerated() where elements[..<index].contains(element) {
                    throw SchemaViolation(field: "\(path)[\(index)]", message: "repeats an earlier item")
                }
            }
            guard let itemSchema = items.first else { return value }
            var checked: [JSONValue] = []
            for (index, element) in elements.enumerated() {
                checked.append(try itemSchema.validate(element, at: "\(path)[\(index)]", unlisted: unlisted))
            }
            return .array(checked)
        case .object?:
            guard let members = value.memberList else { throw mismatch(value, path) }
            // An object with no listed members takes any (a form's free-form JSON field).
            guard !properties.isEmpty || additionalProperties == .refused else { return value }
            return try SchemaProperty.validate(members, against: properties, additional: additionalProperties, unlisted: unlisted, at: path)
        }
    }

    private func mismatch(_ value: JSONValue, _ path: String) -> SchemaViolation {
        SchemaViolation(field: path, message: "expected \(type?.rawValue ?? "a value"), got \(value.typeName)")
    }
}

/// A schema Sluice cannot use.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A value that does not satisfy a schema: which field, and why.
public struct SchemaViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

import Foundation
public import SluiceCore
import SluiceFlows

/// One field of an approval form, asked in a terminal: what it is, what it offers, and how an
/// answer typed by a person becomes a JSON value.
public struct PromptQuestion: Sendable, Equatable {
    public let name: String
    public let type: SchemaNode.ValueType?
    public let label: String
    public let description: String?
    public let defaultValue: JSONValue?
    public let choices: [JSONValue]?
    public let required: Bool

    /// What a typed answer means.
    public enum Answer: Sendable, Equatable {
        /// The field's value.
        case value(JSONValue)
        /// Nothing typed and nothing required: the field is left out (the form's default applies).
        case omitted
        /// Not acceptable; the message says why, and the question is asked again.
        case invalid(String)
    }

    /// A question for `property`, its default and choices replaced by the step's `default_args`
    /// and dynamic `enums` when it gave them.
    public init(_ property: SchemaProperty, defaultArgument: JSONValue?, dynamicChoices: [JSONValue]?) {
        name = property.name
        type = property.schema.type
        label = property.schema.title ?? property.name
        description = property.schema.description
        defaultValue = defaultArgument ?? property.schema.defaultValue
        choices = dynamicChoices ?? property.schema.choices
        required = property.required
    }

    /// The line that asks: `channel (string, one of 1) card 2) bank transfer) [card]: `.
    public var prompt: String {
        var text = label
        var details: [String] = []
        if let type { details.append(type.rawValue) }
        if let choices, !choices.isEmpty {
            details.append("one of " + choices.enumerated().map { "\($0.offset + 1)) \(Self.show($0.element))" }.joined(separator: " "))
        }
        if required && defaultValue == nil { details.append("required") }
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        if let defaultValue { text += " [\(Self.show(defaultValue))]" }
        return text + ": "
    }

    /// Reads what was typed: empty takes the default; a choice by its number or its value;
    /// booleans as y/yes/true or n/no/false; numbers as JSON numbers; arrays and objects as JSON.
    public func parse(_ typed: String) -> Answer {
        let text = typed.trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            if let defaultValue { return .value(defaultValue) }
            return required ? .invalid("\(label) is required") : .omitted
        }
        if let choices, !choices.isEmpty {
            if let number = Int(text), (1...choices.count).contains(number) { return .value(choices[number - 1]) }
            if let match = choices.first(where: { Self.show($0) == text }) { return .value(match) }
            return .invalid("choose one of 1 to \(choices.count), or type one of the values")
        }
        switch type {
        case .boolean?:
            switch text.lowercased() {
            case "y", "yes", "true": return .value(.bool(true))
            case "n", "no", "false": return .value(.bool(false))
            default: return .invalid("answer y or n")
            }
        case .number?, .integer?:
            guard let value = try? JSONValue(parsing: text), case .number(let number) = value else {
                return .invalid("expected a number, like 12 or 3.5")
            }
            if type == .integer, number.rounded() != number { return .invalid("expected a whole number") }
            return .value(value)
        case .array?, .object?:
            guard let value = try? JSONValue(parsing: text) else { return .invalid("expected JSON, like [\"a\", \"b\"] or {\"k\": 1}") }
            return .value(value)
        case .string?, .none:
            return .value(.string(text))
        }
    }

    /// A value as a person reads it: strings without quotes, everything else as JSON.
    static func show(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonText
    }
}

import Foundation
import SluiceCore
import SluiceFlows

/// The run form of a flow, generated from its input schema as Windmill's run page does: a field
/// per property — a select for choices, a checkbox for a boolean, a number field for numbers and
/// integers, JSON text for arrays and objects, text otherwise — with its title, description,
/// default and whether it is required. ``values(_:schema:)`` reads the fields back into the JSON
/// the schema describes; the schema itself is then checked by the flow runtime, as for `sluice run`.
enum RunFormFields {
    /// The fields' names carry this prefix, so they never meet the form's own (`csrf`, `path`).
    static let prefix = "in."

    static func fields(_ schema: JSONSchema) -> [[String: Any]] {
        schema.properties.map { property in
            let node = property.schema
            var field: [String: Any] = [
                "name": prefix + property.name, "label": node.title ?? property.name, "required": property.required,
                "type": node.type?.rawValue ?? "any",
            ]
            if let description = node.description { field["fieldDescription"] = description }
            let prefilled = node.defaultValue
            if let choices = node.choices, node.type != .boolean {
                field["isSelect"] = true
                field["options"] = choices.map { choice -> [String: Any] in
                    ["value": choice.stringValue ?? choice.jsonText, "selected": choice == prefilled]
                }
            } else {
                switch node.type {
                case .boolean?:
                    field["isCheckbox"] = true
                    field["checked"] = prefilled?.boolValue ?? false
                case .number?, .integer?:
                    field["isNumber"] = true
                    field["step"] = node.type == .integer ? "1" : "any"
                    field["value"] = prefilled?.numberValue.map { JSONValue.format(number: $0) } ?? ""
                case .array?, .object?:
                    field["isTextarea"] = true
                    field["value"] = prefilled?.jsonText ?? ""
                default:
                    field["isText"] = true
                    field["value"] = prefilled?.stringValue ?? ""
                }
            }
            return field
        }
    }

    /// The form's fields as the flow's input: numbers parsed, checkboxes as booleans (absent:
    /// false), arrays and objects parsed as JSON, choices matched, empty optional fields left out.
    /// A field that cannot be read is refused naming it (`flow_input.<name>`).
    static func values(_ form: [String: String], schema: JSONSchema) throws(ConsoleInputError) -> JSONValue {
        var members: [(String, JSONValue)] = []
        for property in schema.properties {
            let node = property.schema
            let field = "flow_input.\(property.name)"
            let given = form[prefix + property.name]
            if node.type == .boolean {
                members.append((property.name, .bool(given.map { ["on", "true", "1"].contains($0.lowercased()) } ?? false)))
                continue
            }
            guard let text = given, !text.isEmpty else { continue }
            if let choices = node.choices {
                guard let choice = choices.first(where: { ($0.stringValue ?? $0.jsonText) == text }) else {
                    throw ConsoleInputError(field: field, "must be one of the choices offered")
                }
                members.append((property.name, choice))
                continue
            }
            switch node.type {
            case .number?, .integer?:
                guard case .number(let number)? = try? JSONValue(parsing: text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                    throw ConsoleInputError(field: field, "expected \(node.type?.rawValue ?? "number"), got '\(text)'")
                }
                members.append((property.name, .number(number)))
            case .array?, .object?:
                guard let value = try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth) else {
                    throw ConsoleInputError(field: field, "is not valid JSON")
                }
                members.append((property.name, value))
            default:
                members.append((property.name, .string(text)))
            }
        }
        return JSONValue(members: members)
    }
}

import Foundation
import SluiceCore
import SluiceFlows

/// The run form of a flow, generated from its input schema as Windmill's run page does: a field
/// per property (``SchemaFormField``, as the approval page's) with its title, description,
/// default and whether it is required. ``values(_:schema:)`` reads the fields back into the JSON
/// the schema describes; the schema itself is then checked by the flow runtime, as for `sluice run`.
enum RunFormFields {
    /// The fields' names carry this prefix, so they never meet the form's own (`csrf`, `path`).
    static let prefix = "in."

    static func fields(_ schema: JSONSchema) -> [[String: Any]] {
        schema.properties.map { property in
            var values = SchemaFormField(property).templateValues(name: prefix + property.name, descriptionKey: "fieldDescription")
            values["type"] = property.schema.type?.rawValue ?? "any"
            return values
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

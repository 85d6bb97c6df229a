import Foundation
import SluiceCore
import SluiceFlows

/// Turns an HTML form's fields into the JSON payload its schema describes: numbers parsed,
/// checkboxes as booleans (absent = false), empty optional fields left out.
enum FormDecoding {
    /// The `application/x-www-form-urlencoded` pairs of a body, in order.
    static func pairs(_ body: String) -> [(String, String)] {
        body.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(pieces[0]), pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }

    /// The payload for `schema` from form pairs. Fields outside the schema are ignored; a value
    /// that cannot have the field's type is a violation naming the field.
    static func payload(_ pairs: [(String, String)], schema: JSONValue?) throws -> JSONValue {
        guard let schema else { return .emptyObject }
        let parsed = try JSONSchema(schema)
        var members: [(String, JSONValue)] = []
        for property in parsed.properties {
            let given = pairs.last { $0.0 == property.name }?.1
            let field = "payload.\(property.name)"
            switch property.schema.type {
            case .boolean?:
                members.append((property.name, .bool(given.map { ["on", "true", "1", "yes"].contains($0.lowercased()) } ?? false)))
            case .number?, .integer?:
                guard let text = given?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
                guard let number = Double(text), number.isFinite else {
                    throw SchemaViolation(field: field, message: "expected \(property.schema.type?.rawValue ?? "number"), got '\(text)'")
                }
                members.append((property.name, .number(number)))
            case .array?, .object?:
                guard let text = given, !text.isEmpty else { continue }
                guard let value = try? JSONValue(parsing: text) else { throw SchemaViolation(field: field, message: "expected JSON") }
                members.append((property.name, value))
            default:
                guard let text = given else { continue }
                if text.isEmpty, !property.required { continue }
                members.append((property.name, .string(text)))
            }
        }
        return JSONValue(members: members)
    }
}

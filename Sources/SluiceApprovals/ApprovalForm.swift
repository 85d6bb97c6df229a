import Foundation
public import SluiceCore
public import SluiceStore

/// The form an approver fills in for a gate: its `resume_form.schema`, with the suspended step's
/// dynamic `enums` (from its result) as the choices of their fields. The approval page renders
/// this form, and every approval — through a link or from the CLI — is checked against it, so a
/// value the page could not offer is refused.
public struct ApprovalForm: Sendable {
    /// The schema in force; `nil` when the gate has no form (then a payload is any JSON object).
    public let schema: JSONSchema?

    /// The form of `gate`.
    public init(gate: GateRecord) throws(ApprovalRefusal) {
        try self.init(form: gate.form, enums: gate.page["enums"])
    }

    /// The form a gate with `resume_form.schema` = `form` (none: any JSON object) shows when its
    /// step's result gave `enums`.
    public init(form: JSONValue?, enums: JSONValue?) throws(ApprovalRefusal) {
        guard let form else {
            schema = nil
            return
        }
        do {
            schema = try JSONSchema(Self.applying(enums: enums, to: form))
        } catch {
            throw .invalid(field: "payload", message: "the gate's form cannot be used: \(error)")
        }
    }

    /// `form` with each field named in `enums` (except booleans) limited to its listed choices.
    static func applying(enums: JSONValue?, to form: JSONValue) -> JSONValue {
        guard let enums = enums?.memberList, let properties = form["properties"], properties.memberList != nil else { return form }
        var limited = properties
        for (name, choices) in enums {
            guard choices.arrayValue != nil, let property = properties[name], property.memberList != nil,
                property["type"]?.stringValue != "boolean"
            else { continue }
            limited = limited.setting(name, to: property.setting("enum", to: choices))
        }
        return form.setting("properties", to: limited)
    }

    /// The payload `given` stands for, checked: the form's types, constraints, static and dynamic
    /// enums, no member the form does not offer (at any depth, unless `additionalProperties`
    /// allows it), defaults filled in, and no required string empty (or only whitespace).
    public func payload(_ given: ApprovalPayload) throws(ApprovalRefusal) -> JSONValue {
        let value: JSONValue
        switch given {
        case .json(let json): value = json
        case .form(let fields): value = try decode(fields)
        }
        guard let schema else {
            guard value.memberList != nil else { throw .invalid(field: "payload", message: "expected an object, got \(value.typeName)") }
            return value
        }
        let checked: JSONValue
        do {
            // Only what the form offers: a member it does not list is refused, unless the form
            // allows more (`additionalProperties`).
            checked = try schema.validate(value, root: "payload", unlisted: .refused)
        } catch {
            throw .invalid(field: error.field, message: error.message)
        }
        for property in schema.properties where property.required && property.schema.type == .string {
            if case .string(let text)? = checked[property.name], text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw .invalid(field: "payload.\(property.name)", message: "is required and may not be empty")
            }
        }
        return checked
    }

    /// Form fields as the JSON the schema describes: numbers read as JSON numbers, checkboxes as
    /// booleans (absent = false), arrays and objects as JSON text, empty optional fields left out,
    /// fields outside the schema ignored.
    func decode(_ fields: [(name: String, value: String)]) throws(ApprovalRefusal) -> JSONValue {
        guard let schema else { return .emptyObject }
        var members: [(String, JSONValue)] = []
        for property in schema.properties {
            let given = fields.last { $0.name == property.name }?.value
            let field = "payload.\(property.name)"
            switch property.schema.type {
            case .boolean?:
                members.append((property.name, .bool(given.map { ["on", "true", "1", "yes"].contains($0.lowercased()) } ?? false)))
            case .number?, .integer?:
                guard let text = given?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
                guard case .number(let number)? = try? JSONValue(parsing: text), number.isFinite else {
                    throw .invalid(field: field, message: "expected \(property.schema.type?.rawValue ?? "number"), got '\(text)'")
                }
                members.append((property.name, .number(number)))
            case .array?, .object?:
                guard let text = given, !text.isEmpty else { continue }
                guard let value = try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth) else {
                    throw .invalid(field: field, message: "expected JSON (at most \(JSONValue.maximumInputDepth) levels deep)")
                }
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

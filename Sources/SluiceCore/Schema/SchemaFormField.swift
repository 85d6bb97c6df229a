/// One field of an HTML form generated from a JSON Schema property, as Windmill draws its run
/// form and the approval page draws a gate's `resume_form`: a select for choices, a checkbox for a
/// boolean, a number input for numbers and integers, JSON text (a textarea) for arrays and
/// objects, text otherwise — a textarea for a long one (`format: textarea`, `maxLength` over 200,
/// or a value of several lines). Presentation-neutral: each page turns it into its template's
/// values.
public struct SchemaFormField: Sendable, Equatable {
    /// How the field is drawn, with what it starts with.
    public enum Control: Sendable, Equatable {
        case select(options: [String], selected: Int?)
        case checkbox(checked: Bool)
        /// `step` is `1` for an integer, `any` for a number.
        case number(value: String, step: String)
        case textarea(value: String)
        case text(value: String)
    }

    public let property: SchemaProperty
    public let control: Control

    public var name: String { property.name }
    public var label: String { property.schema.title ?? property.name }
    public var required: Bool { property.required }
    public var description: String? { property.schema.description }

    /// The field for `property`, filled with `prefilled` (else the schema's default).
    public init(_ property: SchemaProperty, prefilled given: JSONValue? = nil) {
        self.property = property
        let node = property.schema
        let prefilled = given ?? node.defaultValue
        if let choices = node.choices, node.type != .boolean {
            control = .select(options: choices.map { $0.stringValue ?? $0.jsonText }, selected: choices.firstIndex { $0 == prefilled })
            return
        }
        switch node.type {
        case .boolean?:
            control = .checkbox(checked: prefilled?.boolValue ?? false)
        case .number?, .integer?:
            control = .number(value: prefilled?.numberValue.map { JSONValue.format(number: $0) } ?? "", step: node.type == .integer ? "1" : "any")
        case .array?, .object?:
            control = .textarea(value: prefilled?.jsonText ?? "")
        default:
            let text = prefilled?.stringValue ?? ""
            let long = node.format == "textarea" || (node.maxLength ?? 0) > 200 || text.contains("\n")
            control = long ? .textarea(value: text) : .text(value: text)
        }
    }

    /// The values a Mustache template of this project reads: `name`, `label`, `required`,
    /// `isSelect` + `options` (`value`, `selected`), `isCheckbox` + `checked`, `isNumber` + `step`
    /// + `value`, `isTextarea` / `isText` + `value`; the description under `descriptionKey`.
    public func templateValues(name: String? = nil, descriptionKey: String = "description") -> [String: Any] {
        var values: [String: Any] = ["name": name ?? self.name, "label": label, "required": required]
        if let description { values[descriptionKey] = description }
        switch control {
        case .select(let options, let selected):
            values["isSelect"] = true
            values["options"] = options.enumerated().map { index, option -> [String: Any] in ["value": option, "selected": index == selected] }
        case .checkbox(let checked):
            values["isCheckbox"] = true
            values["checked"] = checked
        case .number(let value, let step):
            values["isNumber"] = true
            values["step"] = step
            values["value"] = value
        case .textarea(let value):
            values["isTextarea"] = true
            values["value"] = value
        case .text(let value):
            values["isText"] = true
            values["value"] = value
        }
        return values
    }
}

import SluiceApprovals
import SluiceCore
import SluiceFlows
import SluiceStore

/// The fields of a gate's form (its `resume_form.schema`) for the console's approve form: a
/// checkbox for a boolean, a text field for anything else (prefilled from the step's
/// `default_args` or the schema's default). What they send is checked by the same
/// ``ApprovalForm`` as the approval page's.
enum GateFormFields {
    static func fields(_ gate: GateRecord) -> [[String: Any]] {
        guard let schema = (try? ApprovalForm(gate: gate))?.schema else { return [] }
        let defaults = gate.page["default_args"]
        return schema.properties.map { property in
            let prefilled = defaults?[property.name] ?? property.schema.defaultValue
            var value = prefilled?.stringValue ?? prefilled.map(\.jsonText) ?? ""
            if property.schema.type == .number || property.schema.type == .integer {
                value = prefilled?.numberValue.map { JSONValue.format(number: $0) } ?? ""
            }
            return [
                "name": property.name, "label": property.schema.title ?? property.name, "required": property.required,
                "isCheckbox": property.schema.type == .boolean, "value": value,
            ]
        }
    }
}

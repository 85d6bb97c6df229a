import SluiceApprovals
import SluiceCore

/// The resumer's payload decoding: a POST body, as JSON or as form fields (``FormBody``), turned
/// into the payload of an approval by ``ApprovalForm`` — against a form with every field type,
/// a static and a dynamic enum, a default and required fields, and against no form at all. Any
/// body is accepted or refused with an ``ApprovalRefusal``; an accepted payload is an object that
/// the same form accepts again unchanged (what was recorded is what the form allows).
///
/// The first byte picks how the rest is read: even → a JSON body, odd → a form body.
public enum PayloadFuzzCheck: FuzzCheck {
    public static let name = "payloads"

    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "reason": ["type": "string"], "note": ["type": "string", "maxLength": 40], "count": ["type": "integer", "minimum": 0],
            "amount": ["type": "number"], "urgent": ["type": "boolean"], "tags": ["type": "array", "items": ["type": "string"]],
            "meta": ["type": "object"], "kind": ["type": "string", "enum": ["full", "partial"]], "channel": ["type": "string"],
            "level": ["type": "integer", "default": 1],
        ],
        "required": ["reason", "channel"],
    ]
    static let enums: JSONValue = ["channel": ["card", "bank transfer"], "urgent": [true]]

    public static func problems(_ input: [UInt8]) -> [String] {
        guard let first = input.first else { return [] }
        let body = String(decoding: input.dropFirst(), as: UTF8.self)
        let given: ApprovalPayload
        if first % 2 == 0 {
            guard let value = try? JSONValue(parsing: body) else { return [] }
            given = .json(value)
        } else {
            guard let fields = FormBody.fields(body) else { return [] }
            given = .form(fields)
        }
        var problems: [String] = []
        for form in forms {
            do {
                let payload = try form.payload(given)
                guard payload.memberList != nil else {
                    problems.append("an accepted payload is not an object: \(payload.jsonText.prefix(200))")
                    continue
                }
                let again = try form.payload(.json(payload))
                if again != payload { problems.append("an accepted payload changes when checked again: \(payload.jsonText.prefix(200))") }
            } catch {
                if error.description.isEmpty { problems.append("a refusal without a message") }
            }
        }
        return problems
    }

    static let forms: [ApprovalForm] = [
        (try? ApprovalForm(form: schema, enums: enums)), (try? ApprovalForm(form: nil, enums: nil)),
    ].compactMap { $0 }
}

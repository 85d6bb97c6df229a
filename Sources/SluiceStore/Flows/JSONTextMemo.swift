import SluiceCore

/// The JSON texts of the values one flow plan carries, each written once: a step's result is the
/// held job's outcome and the recorded result, and often the next step's arguments or the flow's
/// result too — for a large value, writing it is most of what building the plan costs.
///
/// It remembers the last few values it wrote (``capacity``) and finds one again by equality, which
/// costs far less than writing: two different values usually differ early.
struct JSONTextMemo {
    /// How many written values are remembered (the values of one plan that repeat are few).
    static let capacity = 8

    private var written: [(value: JSONValue, text: String)] = []

    /// The compact JSON text of `value` (``JSONValue/jsonText``), written only if it was not yet.
    mutating func text(of value: JSONValue) -> String {
        switch value {
        case .null, .bool, .number: return value.jsonText
        case .string, .array, .object: break
        }
        if let known = written.first(where: { $0.value == value }) { return known.text }
        let text = value.jsonText
        if written.count == Self.capacity { written.removeFirst() }
        written.append((value, text))
        return text
    }
}

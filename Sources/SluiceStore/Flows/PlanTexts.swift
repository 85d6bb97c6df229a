import SluiceCore

/// A flow decision's plan with its long texts taken out, to travel beside it as `advance_flow`'s
/// own arguments.
///
/// A step's result, its arguments, a flow's input, a loop's elements reach `advance_flow` as JSON
/// texts inside the plan, which is itself JSON: each is escaped by the worker and decoded by Redis's
/// Lua — a step that returns 1 MB made Redis decode over 2 MB (the result is both the held job's
/// outcome and the recorded step result), blocking every other client meanwhile. Here every string
/// of at least ``minimumLength`` UTF-8 bytes is replaced by `{"$argv": n}` — `n` its place among the
/// script's ARGV (the plan is ARGV[1], the first text ARGV[2]) — and sent once however often the
/// plan names it; the script puts each back before it looks at the plan. Shorter strings stay in
/// place: for them the walk that puts texts back would cost more than their decoding.
struct PlanTexts {
    /// The plan, each long string replaced by its `{"$argv": n}`.
    var plan: JSONValue
    /// The long strings, each once, in the order of their ARGV places (ARGV[2] first).
    var texts: [String]

    /// The length (UTF-8 bytes) from which a string travels as an argument of its own.
    static let minimumLength = 1024

    /// The member name of a text's reference, which no plan object has otherwise.
    static let reference = "$argv"

    init(lifting plan: JSONValue, minimumLength: Int = PlanTexts.minimumLength) {
        // Most plans carry no long text: sent as they are, without rebuilding them.
        guard Self.hasText(of: minimumLength, in: plan) else {
            self.plan = plan
            texts = []
            return
        }
        var places: [String: Int] = [:]
        var texts: [String] = []
        func lift(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let text) where text.utf8.count >= minimumLength:
                if let place = places[text] { return JSONValue(members: [(Self.reference, .number(Double(place)))]) }
                texts.append(text)
                let place = texts.count + 1
                places[text] = place
                return JSONValue(members: [(Self.reference, .number(Double(place)))])
            case .array(let elements):
                return .array(elements.map(lift))
            case .object:
                return JSONValue(members: (value.memberList ?? []).map { ($0.key, lift($0.value)) })
            case .null, .bool, .number, .string:
                return value
            }
        }
        self.plan = lift(plan)
        self.texts = texts
    }

    /// Whether `value` holds a string of at least `length` UTF-8 bytes.
    private static func hasText(of length: Int, in value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.count >= length
        case .array(let elements): elements.contains { hasText(of: length, in: $0) }
        case .object(let members): members.contains { hasText(of: length, in: $0.value) }
        case .null, .bool, .number: false
        }
    }
}

import SluiceCore

/// The JSON parser (`JSONValue(parsingBytes:)`): any bytes are parsed or refused with a
/// ``JSONParseError``; what parses serializes to text that parses back to the same value, and
/// serializing that again gives the same text (compact and pretty alike).
public enum JSONFuzzCheck: FuzzCheck {
    public static let name = "json"

    public static func problems(_ input: [UInt8]) -> [String] {
        let value: JSONValue
        do {
            value = try JSONValue(parsingBytes: input)
        } catch {
            return error.reason.isEmpty ? ["a refusal without a reason at byte \(error.offset)"] : []
        }
        var problems: [String] = []
        for (style, text) in [("compact", value.jsonText), ("pretty", value.prettyJSONText)] {
            guard let again = try? JSONValue(parsing: text) else {
                problems.append("the \(style) serialization does not parse: \(text.prefix(200))")
                continue
            }
            if again != value { problems.append("the \(style) round trip changed the value: \(text.prefix(200))") }
            if again.jsonText != value.jsonText { problems.append("serializing is not stable (\(style)): \(text.prefix(200))") }
        }
        return problems
    }
}

import SluiceCore
import SluiceFlows

/// The flow parser: any text (YAML or JSON) is parsed into a flow or refused with a
/// ``FlowFormatError``. A flow that parses is stored as its canonical JSON document and read back
/// from it by every worker, so that document, serialized and parsed again, must give the same flow.
public enum FlowFuzzCheck: FuzzCheck {
    public static let name = "flows"

    public static func problems(_ input: [UInt8]) -> [String] {
        let text = String(decoding: input, as: UTF8.self)
        let document: JSONValue
        let parsed: ParsedFlow
        do {
            (document, parsed) = try FlowParser().canonicalDocument(text)
        } catch {
            return error.description.isEmpty ? ["a refusal without a message"] : []
        }
        guard let stored = try? JSONValue(parsing: document.jsonText) else {
            return ["the canonical document does not parse back as JSON"]
        }
        do {
            let again = try FlowParser().parse(stored)
            return again.definition == parsed.definition ? [] : ["the flow read back from its stored document differs"]
        } catch {
            return ["the stored document of a flow that parsed is refused: \(error)"]
        }
    }
}

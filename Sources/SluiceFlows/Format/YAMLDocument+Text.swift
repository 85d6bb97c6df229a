public import SluiceCore
import Yams

extension YAMLDocument {
    /// `value` written as a YAML document, members in their order: strings that would read back
    /// as something else (`'true'`, `'12'`, `'!inline a.py'`) quoted, multi-line strings as literal
    /// blocks, whole numbers without a fraction. ``parse(_:)`` reads it back to `value`.
    public static func text(_ value: JSONValue) throws(FlowFormatError) -> String {
        do {
            return try Yams.serialize(node: node(value), indent: 2, width: -1, allowUnicode: true)
        } catch {
            throw FlowFormatError(at: "", "cannot write YAML: \(error)")
        }
    }

    /// The file named by an `'!inline name.py'` string (Windmill's way of keeping a value in a file
    /// beside the document), or `nil` when `value` is no such reference.
    public static func inlineReference(_ value: String) -> String? {
        FlowFields.inlineReference(value)
    }

    private static func node(_ value: JSONValue) throws -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .number(let number):
            return Node(JSONValue.format(number: number), Tag(number.rounded() == number && abs(number) < 9.0e15 ? .int : .float))
        case .string(let string):
            if string.contains("\n") { return Node(string, Tag(.str), .literal) }
            return try string.represented()
        case .array(let elements): return Node(try elements.map(node))
        case .object(let members): return Node(try members.map { (Node($0.key), try node($0.value)) })
        }
    }
}

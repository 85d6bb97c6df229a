public import SluiceCore
import Yams

/// Reads YAML (and so JSON) into a ``JSONValue``, keeping mapping order. A scalar tagged
/// `!inline` (the unquoted spelling of Windmill's `'!inline file.py'`) becomes the string
/// `"!inline file.py"`.
///
/// Aliases (`*name`) are refused, before anything is expanded: the composer hands an alias back as
/// the anchored node itself, so the walk meets an anchor a second time exactly where an alias
/// stands — and stops there. A "billion laughs" document costs what its text costs.
public enum YAMLDocument {
    /// The document in `text` (YAML or JSON) as a value; a ``FlowFormatError`` names what is wrong and where.
    public static func parse(_ text: String) throws(FlowFormatError) -> JSONValue {
        let parser: Parser
        let node: Node?
        do {
            parser = try Parser(yaml: text)
            node = try parser.nextRoot()
            // A stray `---` at the end opens an empty document: harmless; a second document is not.
            while let more = try parser.nextRoot() {
                guard case .scalar(let scalar) = more, scalar.string.isEmpty || scalar.string == "null" else {
                    throw FlowFormatError(at: "", "the file holds more than one YAML document")
                }
            }
        } catch let error as FlowFormatError {
            throw error
        } catch {
            throw FlowFormatError(at: "", "not valid YAML or JSON: \(error)")
        }
        guard let node else { throw FlowFormatError(at: "", "the document is empty") }
        var anchors = Set<String>()
        // Nodes hold their anchors weakly; the parser keeps them alive while the walk reads them.
        return try withExtendedLifetime(parser) { () throws(FlowFormatError) -> JSONValue in
            try convert(node, location: "", depth: 0, anchors: &anchors)
        }
    }

    private static func convert(_ node: Node, location: String, depth: Int, anchors: inout Set<String>) throws(FlowFormatError) -> JSONValue {
        guard depth < 200 else { throw FlowFormatError(at: location, "nested too deeply") }
        if let anchor = node.anchor?.rawValue {
            guard anchors.insert(anchor).inserted else {
                throw FlowFormatError(at: location, "YAML aliases (*\(anchor)) are not supported: write the value out where it is used")
            }
        }
        switch node {
        case .scalar(let scalar):
            if scalar.tag.rawValue == "!inline" { return .string("!inline " + scalar.string) }
            if scalar.style != .plain { return .string(scalar.string) }
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .number(Double($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                elements.append(try convert(element, location: "\(location)[\(index)]", depth: depth + 1, anchors: &anchors))
            }
            return .array(elements)
        case .mapping(let mapping):
            var members: [(String, JSONValue)] = []
            for (key, value) in mapping {
                guard let name = key.string else { throw FlowFormatError(at: location, "mapping keys must be strings") }
                let child = location.isEmpty ? name : "\(location).\(name)"
                members.append((name, try convert(value, location: child, depth: depth + 1, anchors: &anchors)))
            }
            return JSONValue(members: members)
        case .alias:
            throw FlowFormatError(at: location, "YAML aliases are not supported")
        }
    }
}

public import SluiceCore

extension FlowParser {
    /// Reads a flow document and returns it with every `!inline` file's text put in place — the
    /// self-contained form Sluice stores — together with the parsed flow.
    public func canonicalDocument(_ text: String) throws(FlowFormatError) -> (document: JSONValue, flow: ParsedFlow) {
        let document = try inliningFiles(YAMLDocument.parse(text))
        let parsed = try FlowParser().parse(document)
        return (document, parsed)
    }

    private func inliningFiles(_ document: JSONValue) throws(FlowFormatError) -> JSONValue {
        guard var top = document.memberList, let valueIndex = top.firstIndex(where: { $0.key == "value" }),
            var value = top[valueIndex].value.memberList
        else { return document }
        for (index, member) in value.enumerated() {
            switch member.key {
            case "modules":
                guard case .array(let modules) = member.value else { continue }
                var inlined: [JSONValue] = []
                for (position, module) in modules.enumerated() {
                    inlined.append(try inlining(module, at: "value.modules[\(position)]"))
                }
                value[index].value = .array(inlined)
            case "failure_module":
                value[index].value = try inlining(member.value, at: "value.failure_module")
            default:
                continue
            }
        }
        top[valueIndex].value = JSONValue(members: value.map { ($0.key, $0.value) })
        return JSONValue(members: top.map { ($0.key, $0.value) })
    }

    private func inlining(_ module: JSONValue, at location: String) throws(FlowFormatError) -> JSONValue {
        guard var members = module.memberList, let valueIndex = members.firstIndex(where: { $0.key == "value" }),
            var value = members[valueIndex].value.memberList,
            let contentIndex = value.firstIndex(where: { $0.key == "content" }),
            case .string(let content) = value[contentIndex].value,
            let name = FlowFields.inlineReference(content)
        else { return module }
        do {
            value[contentIndex].value = .string(try loadInline(name))
        } catch {
            throw FlowFormatError(at: "\(location).value.content", "cannot read '!inline \(name)': \(error)")
        }
        members[valueIndex].value = JSONValue(members: value.map { ($0.key, $0.value) })
        return JSONValue(members: members.map { ($0.key, $0.value) })
    }
}

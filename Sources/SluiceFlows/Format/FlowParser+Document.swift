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
                value[index].value = try inliningModules(member.value, at: "value.modules")
            case "failure_module", "preprocessor_module":
                value[index].value = try inlining(member.value, at: "value.\(member.key)")
            default:
                continue
            }
        }
        top[valueIndex].value = JSONValue(members: value.map { ($0.key, $0.value) })
        return JSONValue(members: top.map { ($0.key, $0.value) })
    }

    private func inliningModules(_ list: JSONValue, at location: String) throws(FlowFormatError) -> JSONValue {
        guard case .array(let modules) = list else { return list }
        var inlined: [JSONValue] = []
        for (position, module) in modules.enumerated() {
            inlined.append(try inlining(module, at: "\(location)[\(position)]"))
        }
        return .array(inlined)
    }

    /// A module with its `!inline` content read, and the modules inside it (loops, branches) too.
    private func inlining(_ module: JSONValue, at location: String) throws(FlowFormatError) -> JSONValue {
        guard var members = module.memberList, let valueIndex = members.firstIndex(where: { $0.key == "value" }),
            var value = members[valueIndex].value.memberList
        else { return module }
        let here = "\(location).value"
        for (index, member) in value.enumerated() {
            switch member.key {
            case "content":
                guard case .string(let content) = member.value, let name = FlowFields.inlineReference(content) else { continue }
                do {
                    value[index].value = .string(try loadInline(name))
                } catch {
                    throw FlowFormatError(at: "\(here).content", "cannot read '!inline \(name)': \(error)")
                }
            case "lock":
                // A TypeScript step's Windmill lock is read at push (its pinned versions are kept);
                // a file that cannot be read is left as it is, and the parse warns about it.
                let language = value.first { $0.key == "language" }?.value.stringValue.flatMap(ScriptLanguage.init(windmillName:))
                guard language == .deno, case .string(let lock) = member.value, let name = FlowFields.inlineReference(lock),
                    let text = try? loadInline(name)
                else { continue }
                value[index].value = .string(text)
            case "modules", "default":
                value[index].value = try inliningModules(member.value, at: "\(here).\(member.key)")
            case "branches":
                guard case .array(let branches) = member.value else { continue }
                var inlined: [JSONValue] = []
                for (position, branch) in branches.enumerated() {
                    guard var branchMembers = branch.memberList, let modulesIndex = branchMembers.firstIndex(where: { $0.key == "modules" }) else {
                        inlined.append(branch)
                        continue
                    }
                    branchMembers[modulesIndex].value = try inliningModules(
                        branchMembers[modulesIndex].value, at: "\(here).branches[\(position)].modules")
                    inlined.append(JSONValue(members: branchMembers.map { ($0.key, $0.value) }))
                }
                value[index].value = .array(inlined)
            default:
                continue
            }
        }
        members[valueIndex].value = JSONValue(members: value.map { ($0.key, $0.value) })
        return JSONValue(members: members.map { ($0.key, $0.value) })
    }
}

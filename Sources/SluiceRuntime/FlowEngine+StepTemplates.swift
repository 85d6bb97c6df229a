import SluiceCore
import SluiceFlows
import SluiceStore

extension FlowEngine {
    /// What a module's step jobs carry from the definition: module id and type, and what the
    /// worker runs (a pushed script's path, an inline script's hash and language, a subflow's path).
    static func template(_ module: FlowModule) -> StepTemplate {
        typealias Field = JobRecord.Field
        var fields = ["module_id", module.id, "module_type", module.value.typeName]
        switch module.value {
        case .script(let path, _, let hash):
            fields += [Field.path, path]
            if let hash { fields += [Self.pinnedHashField, hash] }
        case .rawScript(let language, let content, _): fields += [Field.scriptHash, ContentHash.of(content), Field.language, language.rawValue]
        case .flow(let path, _): fields += ["subflow_path", path]
        case .identity, .forLoop, .whileLoop, .branchOne, .branchAll: break
        }
        if let priority = module.priority, priority != 0 { fields += ["priority", String(priority)] }
        return StepTemplate(fields: fields)
    }

    /// The step field holding a `type: script` module's version pin.
    public static let pinnedHashField = "pinned_hash"
}

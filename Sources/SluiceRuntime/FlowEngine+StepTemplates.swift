import SluiceCore
import SluiceFlows
import SluiceStore

extension FlowEngine {
    /// What a module's step jobs carry from the definition: module id and type, and what the
    /// worker runs (a pushed script's path, an inline script's hash and language, a subflow's path).
    static func template(_ module: FlowModule) -> StepTemplate {
        typealias Field = JobRecord.Field
        var fields = [Field.moduleID.rawValue, module.id, Field.moduleType.rawValue, module.value.typeName]
        switch module.value {
        case .script(let path, _, let hash):
            fields += [Field.path.rawValue, path]
            if let hash { fields += [Self.pinnedHashField, hash] }
        case .rawScript(let language, let content, _):
            fields += [Field.scriptHash.rawValue, ContentHash.of(content), Field.language.rawValue, language.rawValue]
        case .flow(let path, _): fields += [Field.subflowPath.rawValue, path]
        case .identity, .forLoop, .whileLoop, .branchOne, .branchAll: break
        }
        if let priority = module.priority, priority != 0 { fields += [Field.priority.rawValue, String(priority)] }
        return StepTemplate(fields: fields)
    }

    /// The step field holding a `type: script` module's version pin.
    public static let pinnedHashField = JobRecord.Field.pinnedHash.rawValue
}

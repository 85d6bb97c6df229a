public import SluiceCore
import SluiceExpressions

/// A flow read from a file: the definition, and warnings about fields Sluice ignores.
public struct ParsedFlow: Sendable, Equatable {
    public var definition: FlowDefinition
    public var warnings: [String]
}

/// Reads Windmill OpenFlow documents (YAML or JSON) into a ``FlowDefinition``.
///
/// Everything Sluice does not implement is refused with its location, never ignored — except
/// fields that only tune execution (`same_worker`, `priority`, `cache_ttl`, ...), which produce a
/// warning. Expressions are parsed here so that their syntax errors surface at push time.
public struct FlowParser: Sendable {
    /// Gives the text of a file named by `!inline NAME` (relative to the flow's folder).
    public typealias InlineLoader = @Sendable (String) throws -> String

    let loadInline: InlineLoader

    public init(loadInline: @escaping InlineLoader = { name in throw FlowFormatError(at: "", "no file to resolve '!inline \(name)'") }) {
        self.loadInline = loadInline
    }

    /// Parses a flow document.
    public func parse(_ text: String) throws(FlowFormatError) -> ParsedFlow {
        let document = try YAMLDocument.parse(text)
        return try parse(document)
    }

    /// Parses a flow already read as JSON.
    public func parse(_ document: JSONValue) throws(FlowFormatError) -> ParsedFlow {
        var warnings: [String] = []
        var top = try ObjectReader(document, at: "")
        let summary = try top.string("summary") ?? ""
        let description = try top.string("description") ?? ""
        let schema = top.value("schema").flatMap { $0.isNull ? nil : $0 }
        if let schema {
            do {
                _ = try JSONSchema(schema)
            } catch {
                throw FlowFormatError(at: "schema", error.description)
            }
        }
        guard let valueNode = top.value("value") else { throw FlowFormatError(at: "value", "is required (value.modules)") }
        var value = try ObjectReader(valueNode, at: "value")
        guard let modulesNode = value.value("modules"), case .array(let moduleNodes) = modulesNode else {
            throw FlowFormatError(at: "value.modules", "is required: a list of modules")
        }
        var modules: [FlowModule] = []
        var ids = Set<String>()
        for (index, node) in moduleNodes.enumerated() {
            let module = try parseModule(node, at: "value.modules[\(index)]", warnings: &warnings)
            guard ids.insert(module.id).inserted else {
                throw FlowFormatError(at: "value.modules[\(index)].id", "duplicate module id '\(module.id)'")
            }
            modules.append(module)
        }
        var failureModule: FlowModule?
        if let node = value.value("failure_module"), !node.isNull {
            failureModule = try parseModule(node, at: "value.failure_module", warnings: &warnings)
            if let id = failureModule?.id, ids.contains(id) {
                throw FlowFormatError(at: "value.failure_module.id", "duplicate module id '\(id)'")
            }
        }
        try value.finish(tuning: FlowFields.flowValueTuning, warnings: &warnings)
        try top.finish(tuning: FlowFields.topLevelTuning, warnings: &warnings)
        let definition = FlowDefinition(
            summary: summary, description: description, schema: schema, modules: modules, failureModule: failureModule)
        return ParsedFlow(definition: definition, warnings: warnings)
    }

    private func parseModule(_ node: JSONValue, at location: String, warnings: inout [String]) throws(FlowFormatError) -> FlowModule {
        var reader = try ObjectReader(node, at: location)
        let id = try reader.requiredString("id")
        guard FlowFields.isIdentifier(id) else {
            throw FlowFormatError(at: reader.path("id"), "'\(id)' is not a valid module id (letters, digits, '_'; not starting with a digit)")
        }
        let summary = try reader.string("summary") ?? ""
        guard let valueNode = reader.value("value") else { throw FlowFormatError(at: reader.path("value"), "is required") }
        let value = try parseValue(valueNode, at: reader.path("value"), warnings: &warnings)
        var module = FlowModule(id: id, summary: summary, value: value)
        if let retry = reader.value("retry"), !retry.isNull {
            module.retry = try parseRetry(retry, at: reader.path("retry"), warnings: &warnings)
        }
        if let sleep = reader.value("sleep"), !sleep.isNull {
            if case .number = sleep {
                module.sleep = .staticValue(sleep)
            } else {
                module.sleep = try parseTransform(sleep, at: reader.path("sleep"))
            }
        }
        if let stop = reader.value("stop_after_if"), !stop.isNull {
            var stopReader = try ObjectReader(stop, at: reader.path("stop_after_if"))
            let expression = try stopReader.requiredString("expr")
            try checkExpression(expression, at: stopReader.path("expr"))
            module.stopAfterIf = StopAfterIf(
                expression: expression, skipIfStopped: try stopReader.bool("skip_if_stopped") ?? false,
                errorMessage: try stopReader.string("error_message").flatMap { $0.isEmpty ? nil : $0 })
            try stopReader.finish(warnings: &warnings)
        }
        if let timeout = reader.value("timeout"), !timeout.isNull {
            module.timeoutSeconds = try parseTimeout(timeout, at: reader.path("timeout"))
        }
        if let suspend = reader.value("suspend"), !suspend.isNull {
            module.suspend = try parseSuspend(suspend, at: reader.path("suspend"), warnings: &warnings)
        }
        if let mock = reader.value("mock"), !mock.isNull {
            var mockReader = try ObjectReader(mock, at: reader.path("mock"))
            if try mockReader.bool("enabled") == true {
                throw FlowFormatError(at: mockReader.path("enabled"), "mocked modules are not supported")
            }
            _ = mockReader.value("return_value")
            try mockReader.finish(warnings: &warnings)
        }
        try reader.finish(tuning: FlowFields.moduleTuning, warnings: &warnings)
        return module
    }

    private func parseValue(_ node: JSONValue, at location: String, warnings: inout [String]) throws(FlowFormatError) -> ModuleValue {
        var reader = try ObjectReader(node, at: location)
        let type = try reader.requiredString("type")
        let value: ModuleValue
        switch type {
        case "rawscript":
            let languageName = try reader.requiredString("language")
            guard let language = ScriptLanguage(rawValue: languageName) else {
                throw FlowFormatError(at: reader.path("language"), "language '\(languageName)' is not supported (bash or python3)")
            }
            var content = try reader.requiredString("content")
            if let name = FlowFields.inlineReference(content) {
                do {
                    content = try loadInline(name)
                } catch {
                    throw FlowFormatError(at: reader.path("content"), "cannot read '!inline \(name)': \(error)")
                }
            }
            _ = try reader.string("path")
            value = .rawScript(language: language, content: content, inputTransforms: try parseTransforms(&reader))
        case "script":
            let path = try reader.requiredString("path")
            guard ScriptPath(path) != nil else { throw FlowFormatError(at: reader.path("path"), "'\(path)' is not a valid script path") }
            if try reader.string("hash") != nil {
                throw FlowFormatError(at: reader.path("hash"), "pinning a script version by hash is not supported; the current version runs")
            }
            value = .script(path: path, inputTransforms: try parseTransforms(&reader))
        case "identity":
            _ = reader.value("flow")
            value = .identity
        case "branchone", "branchall", "forloopflow", "whileloopflow", "flow", "aiagent":
            throw FlowFormatError(at: reader.path("type"), "'\(type)' is not supported yet")
        default:
            throw FlowFormatError(at: reader.path("type"), "unknown module type '\(type)'")
        }
        try reader.finish(tuning: FlowFields.valueTuning, warnings: &warnings)
        return value
    }

    private func parseTransforms(_ reader: inout ObjectReader) throws(FlowFormatError) -> [NamedTransform] {
        guard let node = reader.value("input_transforms"), !node.isNull else { return [] }
        let location = reader.path("input_transforms")
        guard let members = node.memberList else { throw FlowFormatError(at: location, "expected an object of argument transforms") }
        var transforms: [NamedTransform] = []
        for (name, transform) in members {
            transforms.append(NamedTransform(name, try parseTransform(transform, at: "\(location).\(name)")))
        }
        return transforms
    }

    func parseTransform(_ node: JSONValue, at location: String) throws(FlowFormatError) -> InputTransform {
        var reader = try ObjectReader(node, at: location)
        let type = try reader.requiredString("type")
        var ignored: [String] = []
        switch type {
        case "static":
            let value = reader.value("value") ?? .null
            try reader.finish(warnings: &ignored)
            return .staticValue(value)
        case "javascript":
            let expression = try reader.requiredString("expr")
            try checkExpression(expression, at: reader.path("expr"))
            try reader.finish(warnings: &ignored)
            return .javascript(expression)
        default:
            throw FlowFormatError(at: reader.path("type"), "input transform type '\(type)' is not supported (static or javascript)")
        }
    }

    func checkExpression(_ source: String, at location: String) throws(FlowFormatError) {
        do {
            _ = try Expression(source)
        } catch {
            throw FlowFormatError(at: location, "\(error.message) (at \(error.position) in `\(source)`)")
        }
    }
}

public import SluiceCore
import SluiceExpressions

/// A flow read from a file: the definition, warnings about fields Sluice does not honour (each
/// naming its place and what Sluice does instead), and the modules that cannot run here at all.
public struct ParsedFlow: Sendable, Equatable {
    public var definition: FlowDefinition
    public var warnings: [String]
    /// The modules that cannot run here (an `aiagent`, a language Sluice has no runtime for), by
    /// place and why: a push refuses the flow unless told to keep them (they fail when reached).
    public var unsupported: [String] = []
    /// Windmill's locks of inline TypeScript scripts (a step's `lock:`, text or `!inline` file), by
    /// the script's content: their pinned versions are kept when the flow's scripts are locked.
    public var windmillLocks: [String: String] = [:]
}

/// Reads Windmill OpenFlow documents (YAML or JSON) into a ``FlowDefinition``.
///
/// Windmill's parser is the reference: what it runs, this reads. A field Sluice does not honour
/// (or does not know) is accepted with a warning naming its place and what Sluice does with it —
/// `sluice flow push --strict` turns warnings into refusals. What cannot run at all (an
/// `aiagent`, a language with no runtime here) is kept as a module that fails when reached, and
/// listed in ``ParsedFlow/unsupported`` so a push can refuse it by name and place. Only a document
/// that cannot be read (no modules, a field of the wrong type, an invalid expression) is an error.
/// Expressions are parsed here so that their syntax errors surface at push time.
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
        let schema = top.value("schema").flatMap { $0.isNull ? JSONValue?.none : $0 }
        if let schema {
            do {
                warnings += try JSONSchema(schema, lenient: true).ignored.map {
                    "schema: \($0) is kept and not checked (it shapes Windmill's UI; inputs are not validated against it)"
                }
            } catch {
                throw FlowFormatError(at: "schema", error.description)
            }
        }
        guard let valueNode = top.value("value") else { throw FlowFormatError(at: "value", "is required (value.modules)") }
        var value = try ObjectReader(valueNode, at: "value")
        guard let modulesNode = value.value("modules"), case .array(let moduleNodes) = modulesNode else {
            throw FlowFormatError(at: "value.modules", "is required: a list of modules")
        }
        var context = ModuleContext(warnings: [], ids: [])
        let modules = try parseModules(moduleNodes, at: "value.modules", context: &context)
        var failureModule: FlowModule?
        if let node = value.value("failure_module"), !node.isNull {
            failureModule = try parseModule(node, at: "value.failure_module", context: &context)
        }
        var preprocessor: FlowModule?
        if let node = value.value("preprocessor_module"), !node.isNull {
            context.inPreprocessor = true
            preprocessor = try parseModule(node, at: "value.preprocessor_module", context: &context)
            context.inPreprocessor = false
        }
        let sameWorker = try value.bool("same_worker") ?? false
        var environment: [String: JSONValue] = [:]
        if let node = value.value("flow_env"), !node.isNull {
            guard let members = node.memberList else { throw FlowFormatError(at: "value.flow_env", "expected a mapping of names to values") }
            for (name, entry) in members { environment[name] = entry }
        }
        warnings += context.warnings
        value.finish(known: FlowFields.flowValue, warnings: &warnings)
        top.finish(known: FlowFields.topLevel, warnings: &warnings)
        var definition = FlowDefinition(
            summary: summary, description: description, schema: schema, modules: modules, failureModule: failureModule)
        definition.preprocessorModule = preprocessor
        definition.sameWorker = sameWorker
        definition.environment = JSONValue(members: environment.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return ParsedFlow(definition: definition, warnings: warnings, unsupported: context.unsupported, windmillLocks: context.windmillLocks)
    }

    /// What parsing the modules of one flow shares: warnings, the modules that cannot run here,
    /// and the ids seen so far (unique in the whole flow, nested modules included, as
    /// `results.<id>` names them).
    struct ModuleContext {
        var warnings: [String]
        var ids: Set<String>
        var depth = 0
        var unsupported: [String] = []
        /// Parsing the `preprocessor_module`.
        var inPreprocessor = false
        /// Windmill's locks of inline TypeScript scripts, by content.
        var windmillLocks: [String: String] = [:]
    }

    /// The most levels of containers inside containers.
    static let maximumNesting = 16

    func parseModules(_ nodes: [JSONValue], at location: String, context: inout ModuleContext) throws(FlowFormatError) -> [FlowModule] {
        var modules: [FlowModule] = []
        for (index, node) in nodes.enumerated() {
            modules.append(try parseModule(node, at: "\(location)[\(index)]", context: &context))
        }
        return modules
    }

    private func parseModule(_ node: JSONValue, at location: String, context: inout ModuleContext) throws(FlowFormatError) -> FlowModule {
        var reader = try ObjectReader(node, at: location)
        let id = try reader.requiredString("id")
        guard FlowFields.isIdentifier(id) else {
            throw FlowFormatError(at: reader.path("id"), "'\(id)' is not a valid module id (letters, digits, '_'; not starting with a digit)")
        }
        guard context.ids.insert(id).inserted else { throw FlowFormatError(at: reader.path("id"), "duplicate module id '\(id)'") }
        let summary = try reader.string("summary") ?? ""
        guard let valueNode = reader.value("value") else { throw FlowFormatError(at: reader.path("value"), "is required") }
        // The older form, which Windmill's parser still reads: `input_transforms` on the module.
        let moduleTransforms = reader.value("input_transforms").flatMap { $0.isNull ? JSONValue?.none : $0 }
        let (value, unsupported) = try parseValue(
            valueNode, at: reader.path("value"), moduleTransforms: moduleTransforms.map { ($0, reader.path("input_transforms")) },
            context: &context)
        var module = FlowModule(id: id, summary: summary, value: value)
        if let unsupported {
            module.unsupported = unsupported
            context.unsupported.append("\(reader.path("value")): \(unsupported)")
        }
        if let retry = reader.value("retry"), !retry.isNull {
            module.retry = try parseRetry(retry, at: reader.path("retry"), warnings: &context.warnings)
        }
        if let sleep = reader.value("sleep"), !sleep.isNull {
            module.sleep = try parseNumberOrTransform(sleep, at: reader.path("sleep"))
        }
        if let stop = reader.value("stop_after_if"), !stop.isNull {
            module.stopAfterIf = try parseStop(stop, at: reader.path("stop_after_if"), warnings: &context.warnings)
        }
        if let stop = reader.value("stop_after_all_iters_if"), !stop.isNull {
            switch value {
            case .forLoop, .whileLoop, .branchAll: break
            case .rawScript, .script, .flow, .identity, .branchOne:
                throw FlowFormatError(at: reader.path("stop_after_all_iters_if"), "only a forloopflow, whileloopflow or branchall module can have it")
            }
            module.stopAfterAllItersIf = try parseStop(stop, at: reader.path("stop_after_all_iters_if"), warnings: &context.warnings)
        }
        if let skip = reader.value("skip_if"), !skip.isNull {
            var skipReader = try ObjectReader(skip, at: reader.path("skip_if"))
            let expression = try skipReader.requiredString("expr")
            try checkExpression(expression, at: skipReader.path("expr"))
            skipReader.finish(warnings: &context.warnings)
            module.skipIf = expression
        }
        module.continueOnError = try reader.bool("continue_on_error") ?? false
        if let timeout = reader.value("timeout"), !timeout.isNull {
            module.timeout = try parseTimeout(timeout, at: reader.path("timeout"))
            if value.isContainer || value.typeName == "flow" || value.typeName == "identity" {
                context.warnings.append(
                    "\(reader.path("timeout")): has no effect on a \(value.typeName) module: Sluice times out script steps (put a timeout on the modules inside)"
                )
            }
        }
        if let suspend = reader.value("suspend"), !suspend.isNull,
            let settings = try parseSuspend(suspend, at: reader.path("suspend"), warnings: &context.warnings)
        {
            guard !value.isContainer else {
                throw FlowFormatError(at: reader.path("suspend"), "a \(value.typeName) module cannot be suspended; suspend a module inside it")
            }
            module.suspend = settings
        }
        if let mock = reader.value("mock"), !mock.isNull {
            var mockReader = try ObjectReader(mock, at: reader.path("mock"))
            let enabled = try mockReader.bool("enabled") ?? false
            let returned = mockReader.value("return_value") ?? .null
            mockReader.finish(warnings: &context.warnings)
            if enabled { module.mock = returned }
        }
        if let ttl = try reader.number("cache_ttl") {
            guard ttl >= 0, ttl <= 366 * 24 * 3600 else {
                throw FlowFormatError(at: reader.path("cache_ttl"), "expected seconds between 0 and one year")
            }
            if ttl >= 1 { module.cacheTTL = Int(ttl) }
        }
        if let priority = try reader.number("priority") {
            guard priority.rounded() == priority, abs(priority) <= 1_000_000 else {
                throw FlowFormatError(at: reader.path("priority"), "expected a whole number")
            }
            module.priority = Int(priority)
        }
        reader.finish(known: FlowFields.module, warnings: &context.warnings)
        return module
    }

    private func parseStop(_ node: JSONValue, at location: String, warnings: inout [String]) throws(FlowFormatError) -> StopAfterIf {
        var stopReader = try ObjectReader(node, at: location)
        let expression = try stopReader.requiredString("expr")
        try checkExpression(expression, at: stopReader.path("expr"))
        let stop = StopAfterIf(
            expression: expression, skipIfStopped: try stopReader.bool("skip_if_stopped") ?? false,
            errorMessage: try stopReader.string("error_message").flatMap { $0.isEmpty ? nil : $0 })
        stopReader.finish(warnings: &warnings)
        return stop
    }

    /// A module's value, or — for what cannot run here — a stand-in (identity) and why not.
    /// `moduleTransforms` are `input_transforms` written on the module (the older form), used when
    /// the value has none.
    private func parseValue(
        _ node: JSONValue, at location: String, moduleTransforms: (JSONValue, String)?, context: inout ModuleContext
    ) throws(FlowFormatError) -> (ModuleValue, unsupported: String?) {
        var reader = try ObjectReader(node, at: location)
        let type = try reader.requiredString("type")
        func transforms(_ reader: inout ObjectReader) throws(FlowFormatError) -> [NamedTransform] {
            let own = try parseTransforms(&reader, warnings: &context.warnings)
            guard own.isEmpty, let (node, place) = moduleTransforms else { return own }
            return try parseTransforms(node, at: place, warnings: &context.warnings)
        }
        let value: ModuleValue
        switch type {
        case "rawscript":
            let languageName = try reader.requiredString("language")
            guard let language = ScriptLanguage(windmillName: languageName) else {
                return (
                    .identity,
                    "language '\(languageName)' has no runtime in Sluice (supported: \(ScriptLanguage.windmillNames.joined(separator: ", ")))"
                )
            }
            var content = try reader.requiredString("content")
            if let name = FlowFields.inlineReference(content) {
                do {
                    content = try loadInline(name)
                } catch {
                    throw FlowFormatError(at: reader.path("content"), "cannot read '!inline \(name)': \(error)")
                }
            }
            if language == .deno {
                do {
                    // A flow's preprocessor exports `preprocessor` (Windmill calls that), or `main`.
                    if !context.inPreprocessor || (try? TypeScriptSignature.parameterNames(in: content, entrypoint: "preprocessor")) == nil {
                        _ = try TypeScriptSignature.parameterNames(in: content)
                    }
                } catch {
                    throw FlowFormatError(at: reader.path("content"), error.description)
                }
            }
            _ = try reader.string("path")
            if language == .deno { try readWindmillLock(&reader, of: content, context: &context) }
            value = .rawScript(language: language, content: content, inputTransforms: try transforms(&reader))
        case "script":
            let path = try reader.requiredString("path")
            guard ScriptPath(path) != nil else { throw FlowFormatError(at: reader.path("path"), "'\(path)' is not a valid script path") }
            let hash = try reader.string("hash")?.lowercased()
            value = .script(path: path, inputTransforms: try transforms(&reader), hash: hash.flatMap { $0.isEmpty ? nil : $0 })
        case "flow":
            let path = try reader.requiredString("path")
            guard ScriptPath(path) != nil else { throw FlowFormatError(at: reader.path("path"), "'\(path)' is not a valid flow path") }
            value = .flow(path: path, inputTransforms: try transforms(&reader))
        case "identity":
            _ = reader.value("flow")
            value = .identity
        case "forloopflow", "whileloopflow", "branchone", "branchall":
            guard context.depth < Self.maximumNesting else {
                throw FlowFormatError(at: location, "containers are nested more than \(Self.maximumNesting) levels deep")
            }
            context.depth += 1
            defer { context.depth -= 1 }
            value = try parseContainer(type, reader: &reader, context: &context)
        case "aiagent":
            return (.identity, "an 'aiagent' module needs Windmill's AI service, which Sluice does not have")
        default:
            return (.identity, "module type '\(type)' is not one Sluice runs")
        }
        reader.finish(known: FlowFields.value, warnings: &context.warnings)
        return (value, nil)
    }

    /// Keeps Windmill's lock of an inline TypeScript script (text, or a `!inline` file beside the
    /// flow): the versions it pinned are kept when the script is locked. A lock file that cannot
    /// be read is warned about, and the script is locked afresh.
    private func readWindmillLock(_ reader: inout ObjectReader, of content: String, context: inout ModuleContext) throws(FlowFormatError) {
        guard var lock = try reader.string("lock") else { return }
        if let name = FlowFields.inlineReference(lock) {
            do {
                lock = try loadInline(name)
            } catch {
                context.warnings.append("\(reader.path("lock")): cannot read '!inline \(name)' (\(error)); the script's imports are locked afresh")
                return
            }
        }
        if lock.contains(where: { !$0.isWhitespace }) { context.windmillLocks[content] = lock }
    }

    private func parseContainer(_ type: String, reader: inout ObjectReader, context: inout ModuleContext) throws(FlowFormatError) -> ModuleValue {
        func modules(_ key: String, in reader: inout ObjectReader, required: Bool = true) throws(FlowFormatError) -> [FlowModule] {
            switch reader.value(key) {
            case .array(let nodes)?: return try parseModules(nodes, at: reader.path(key), context: &context)
            case .none, .null?:
                if required { throw FlowFormatError(at: reader.path(key), "is required: a list of modules") }
                return []
            case let other?: throw FlowFormatError(at: reader.path(key), "expected a list of modules, got \(other.typeName)")
            }
        }
        func branchNodes(_ reader: inout ObjectReader) throws(FlowFormatError) -> [JSONValue] {
            guard case .array(let nodes)? = reader.value("branches") else {
                throw FlowFormatError(at: reader.path("branches"), "is required: a list of branches")
            }
            return nodes
        }
        switch type {
        case "forloopflow":
            guard let iteratorNode = reader.value("iterator"), !iteratorNode.isNull else {
                throw FlowFormatError(at: reader.path("iterator"), "is required: an expression giving the array to iterate over")
            }
            let iterator = try parseTransform(iteratorNode, at: reader.path("iterator"))
            let parallel = try reader.bool("parallel") ?? false
            var parallelism: InputTransform?
            if let node = reader.value("parallelism"), !node.isNull {
                parallelism = try parseNumberOrTransform(node, at: reader.path("parallelism"))
            }
            let skipFailures = try reader.bool("skip_failures") ?? false
            try squash(&reader, warnings: &context.warnings)
            return .forLoop(
                ForLoop(
                    iterator: iterator, parallel: parallel, parallelism: parallelism, skipFailures: skipFailures,
                    modules: try modules("modules", in: &reader)))
        case "whileloopflow":
            let skipFailures = try reader.bool("skip_failures") ?? false
            if try reader.bool("parallel") == true {
                throw FlowFormatError(
                    at: reader.path("parallel"), "a while loop's iterations run one after the other; 'parallel: true' is not supported")
            }
            _ = reader.value("parallelism")
            try squash(&reader, warnings: &context.warnings)
            let maximum = try reader.integer("max_iterations", minimum: 1) ?? WhileLoop.defaultMaximumIterations
            guard maximum <= 1_000_000 else { throw FlowFormatError(at: reader.path("max_iterations"), "at most 1,000,000") }
            return .whileLoop(WhileLoop(skipFailures: skipFailures, modules: try modules("modules", in: &reader), maximumIterations: maximum))
        case "branchone":
            var branches: [BranchOne.Branch] = []
            for (index, node) in try branchNodes(&reader).enumerated() {
                var branch = try ObjectReader(node, at: reader.path("branches[\(index)]"))
                let summary = try branch.string("summary") ?? ""
                let expression = try branch.requiredString("expr")
                try checkExpression(expression, at: branch.path("expr"))
                let list = try modules("modules", in: &branch)
                branch.finish(known: FlowFields.branchOneBranch, warnings: &context.warnings)
                branches.append(BranchOne.Branch(summary: summary, expression: expression, modules: list))
            }
            return .branchOne(BranchOne(branches: branches, defaultModules: try modules("default", in: &reader, required: false)))
        default:
            var branches: [BranchAll.Branch] = []
            for (index, node) in try branchNodes(&reader).enumerated() {
                var branch = try ObjectReader(node, at: reader.path("branches[\(index)]"))
                let summary = try branch.string("summary") ?? ""
                let skipFailure = try branch.bool("skip_failure") ?? false
                let list = try modules("modules", in: &branch)
                branch.finish(known: FlowFields.branchAllBranch, warnings: &context.warnings)
                branches.append(BranchAll.Branch(summary: summary, skipFailure: skipFailure, modules: list))
            }
            // As in Windmill, a branchall runs its branches at once unless it says `parallel: false`.
            return .branchAll(BranchAll(branches: branches, parallel: try reader.bool("parallel") ?? true))
        }
    }

    /// `squash` on a loop: read and accepted. In Windmill it runs every iteration on one worker,
    /// in one process where it can, to save the hops between iterations; Sluice runs iterations as
    /// it always does, so a result never depends on it.
    private func squash(_ reader: inout ObjectReader, warnings: inout [String]) throws(FlowFormatError) {
        if try reader.bool("squash") == true {
            warnings.append(
                "\(reader.path("squash")): iterations run as usual, each step a job of its own (squash only saves Windmill worker hops; results are the same)"
            )
        }
    }

    /// A number, or a static/javascript transform (`sleep`, `parallelism`).
    private func parseNumberOrTransform(_ node: JSONValue, at location: String) throws(FlowFormatError) -> InputTransform {
        if case .number = node { return .staticValue(node) }
        return try parseTransform(node, at: location)
    }

    private func parseTransforms(_ reader: inout ObjectReader, warnings: inout [String]) throws(FlowFormatError) -> [NamedTransform] {
        guard let node = reader.value("input_transforms"), !node.isNull else { return [] }
        return try parseTransforms(node, at: reader.path("input_transforms"), warnings: &warnings)
    }

    private func parseTransforms(_ node: JSONValue, at location: String, warnings: inout [String]) throws(FlowFormatError) -> [NamedTransform] {
        guard let members = node.memberList else { throw FlowFormatError(at: location, "expected an object of argument transforms") }
        var transforms: [NamedTransform] = []
        for (name, transform) in members {
            transforms.append(NamedTransform(name, try parseTransform(transform, at: "\(location).\(name)", warnings: &warnings)))
        }
        return transforms
    }

    func parseTransform(_ node: JSONValue, at location: String) throws(FlowFormatError) -> InputTransform {
        var ignored: [String] = []
        return try parseTransform(node, at: location, warnings: &ignored)
    }

    func parseTransform(_ node: JSONValue, at location: String, warnings: inout [String]) throws(FlowFormatError) -> InputTransform {
        var reader = try ObjectReader(node, at: location)
        let type = try reader.requiredString("type")
        switch type {
        case "static":
            let value = reader.value("value") ?? .null
            reader.finish(known: FlowFields.staticTransform, warnings: &warnings)
            for reference in value.references where ScriptPath(reference.path) == nil {
                throw FlowFormatError(
                    at: reader.path("value"), "'\(reference.marker)': '\(reference.path)' is not a valid \(reference.kind.rawValue) path")
            }
            return .staticValue(value)
        case "javascript":
            let expression = try reader.requiredString("expr")
            try checkExpression(expression, at: reader.path("expr"))
            reader.finish(known: FlowFields.javascriptTransform, warnings: &warnings)
            return .javascript(expression)
        default:
            throw FlowFormatError(at: reader.path("type"), "input transform type '\(type)' is not supported (static or javascript)")
        }
    }

    /// Checks an expression at push time: within the subset it must parse, and name variables and
    /// resources by literal paths; beyond the subset it is kept for a JavaScript engine (its syntax
    /// is checked when it first runs). Every path it names must be a valid one.
    func checkExpression(_ source: String, at location: String) throws(FlowFormatError) {
        let expression: WindmillExpression
        do {
            expression = try WindmillExpression(source)
        } catch {
            throw FlowFormatError(at: location, "\(error.message) (at \(error.position) in `\(source)`)")
        }
        if case .subset(let parsed) = expression, let dynamic = parsed.dynamicReference {
            throw FlowFormatError(
                at: location,
                "\(dynamic.name)() takes its path as a string literal, e.g. \(dynamic.name)('f/ops/token'), so it is resolved before the step "
                    + "starts (at \(dynamic.position) in `\(source)`)")
        }
        for reference in expression.references.sorted(by: { $0.path < $1.path }) where ScriptPath(reference.path) == nil {
            throw FlowFormatError(
                at: location, "\(reference.kind.rawValue)('\(reference.path)'): not a valid \(reference.kind.rawValue) path (in `\(source)`)")
        }
    }
}

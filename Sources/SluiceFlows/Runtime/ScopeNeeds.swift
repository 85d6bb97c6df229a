public import SluiceCore
import SluiceExpressions

/// What must be read from Redis to evaluate one module's expressions — its arguments,
/// `skip_if`, `stop_after_if`, `sleep`, `timeout`, `retry_if`, groups, iterator, predicates — so a
/// step reads only what it uses, whatever the flow has produced so far.
public struct ScopeNeeds: Sendable, Equatable {
    /// `flow_input` is read.
    public var flowInput: Bool
    /// `previous_result` is read (or the module passes it through: identity, containers).
    public var previousResult: Bool
    /// The results to read: the module id, and the frame holding its result.
    public var results: [ResultReference]
    /// `flow_input.iter` may be read (the module runs inside a loop).
    public var iteration: Bool
    /// The variables and resources the module names: `$var:`/`$res:` in its static values,
    /// `variable()`/`resource()` in its expressions. A worker resolves them as the step starts.
    public var references: Set<Reference>

    public init(flowInput: Bool, previousResult: Bool, results: [ResultReference], iteration: Bool, references: Set<Reference> = []) {
        self.flowInput = flowInput
        self.previousResult = previousResult
        self.results = results
        self.iteration = iteration
        self.references = references
    }
}

/// A module result as stored: the frame that ran the module, and the module's id.
public struct ResultReference: Sendable, Hashable {
    public var frame: FrameID
    public var moduleID: String

    public init(frame: FrameID, moduleID: String) {
        self.frame = frame
        self.moduleID = moduleID
    }

    /// The field of the flow's results hash: the module id for the top-level frames (so
    /// `HGETALL …:results` shows a flow's main results by id), `<frame>/<id>` inside loops and branches.
    public var field: String {
        frame.isTopLevel ? moduleID : "\(frame)/\(moduleID)"
    }
}

/// What one module's expressions read, computed once per flow version.
struct ModuleReads: Sendable {
    var flowInput: Bool
    var previousResult: Bool
    /// Result ids read by name; `nil` when `results` is used whole (every visible result is read).
    var results: Set<String>?
    /// Variables and resources named by the module's static values and expressions.
    var references: Set<Reference>

    init(_ module: FlowModule) {
        var flowInput = false
        var previous = false
        var named: Set<String>? = []
        var references = Set<Reference>()
        for value in Self.staticValues(of: module) { references.formUnion(value.references) }
        for source in Self.expressions(of: module) {
            guard let classified = try? WindmillExpression(source) else { continue }
            references.formUnion(classified.references)
            switch classified {
            case .subset(let expression):
                let free = expression.freeVariables
                if free.contains("flow_input") { flowInput = true }
                if free.contains("previous_result") { previous = true }
                if free.contains("results") {
                    if let members = expression.memberReads(of: "results") { named?.formUnion(members) } else { named = nil }
                }
                // The legacy `step(i)` may read any result.
                if expression.namesStep { named = nil }
            case .engine:
                // What a JavaScript engine's code reads cannot be told from its text: everything.
                flowInput = true
                previous = true
                named = nil
            case .empty, .reference:
                break
            }
        }
        switch module.value {
        case .identity, .forLoop, .whileLoop, .branchOne: previous = true
        case .branchAll:
            // Its branches start from the flow's input (an empty branch's result is that input).
            previous = true
            flowInput = true
        case .rawScript, .script, .flow: break
        }
        // A skipped module passes its input through.
        if module.skipIf != nil { previous = true }
        self.flowInput = flowInput
        previousResult = previous
        results = named
        self.references = references
    }

    /// Every static value a module uses, wherever it sits.
    static func staticValues(of module: FlowModule) -> [JSONValue] {
        var values: [JSONValue] = []
        func add(_ transform: InputTransform?) {
            if case .staticValue(let value)? = transform { values.append(value) }
        }
        for named in module.value.inputTransforms { add(named.transform) }
        add(module.sleep)
        add(module.timeout)
        add(module.suspend?.userGroupsRequired)
        if case .forLoop(let loop) = module.value {
            add(loop.iterator)
            add(loop.parallelism)
        }
        return values
    }

    /// Every expression a module evaluates, wherever it sits.
    static func expressions(of module: FlowModule) -> [String] {
        var sources: [String] = []
        func add(_ transform: InputTransform?) {
            if case .javascript(let source)? = transform { sources.append(source) }
        }
        for named in module.value.inputTransforms { add(named.transform) }
        add(module.sleep)
        add(module.timeout)
        add(module.suspend?.userGroupsRequired)
        sources += [module.skipIf, module.stopAfterIf?.expression, module.stopAfterAllItersIf?.expression, module.retry?.retryIf].compactMap { $0 }
        switch module.value {
        case .forLoop(let loop):
            add(loop.iterator)
            add(loop.parallelism)
        case .branchOne(let branches):
            sources += branches.branches.map(\.expression)
        case .whileLoop, .branchAll, .rawScript, .script, .flow, .identity:
            break
        }
        return sources
    }
}

extension FlowStepper {
    /// What the module at `cursor` of `frame` needs read to evaluate its expressions.
    public func needs(frame: FrameID, cursor: Int) -> ScopeNeeds {
        guard let module = definition.module(in: frame, at: cursor), let reads = index.reads[module.id] else {
            return ScopeNeeds(flowInput: false, previousResult: false, results: [], iteration: false)
        }
        let references = reads.references
        let visible = visibleModules(frame: frame)
        let wanted = reads.results.map { Array($0) } ?? Array(visible.keys)
        let results = wanted.sorted().compactMap { id in visible[id].map { ResultReference(frame: $0, moduleID: id) } }
        return ScopeNeeds(
            flowInput: reads.flowInput, previousResult: reads.previousResult, results: results, iteration: !frame.isTopLevel, references: references)
    }

    /// The modules whose results a module in `frame` can read, with the frame holding each: the
    /// modules of `frame`'s own sequence and of every enclosing one (the failure module also sees
    /// the main modules).
    public func visibleModules(frame: FrameID) -> [String: FrameID] {
        let path = staticPath(of: frame)
        var visible: [String: FrameID] = [:]
        for (id, location) in index.locations {
            if location.root == frame.root {
                guard location.path.count <= path.count, Array(path.prefix(location.path.count)) == location.path else { continue }
                visible[id] = FrameID(root: frame.root, hops: Array(frame.hops.prefix(location.path.count)))
            } else if location.root == .main, frame.root == .failure, location.path.isEmpty {
                visible[id] = .main
            }
        }
        return visible
    }

    /// A frame's path in the definition: each hop's container index and module-list index.
    func staticPath(of frame: FrameID) -> [FrameID.Hop] {
        var path: [FrameID.Hop] = []
        var current = FrameID(root: frame.root)
        for hop in frame.hops {
            guard let container = definition.module(in: current, at: hop.module) else { break }
            path.append(FrameID.Hop(module: hop.module, child: FlowDefinition.childSequence(of: container.value, child: hop.child)))
            current = current.child(cursor: hop.module, child: hop.child)
        }
        return path
    }
}

public import SluiceCore

/// A flow in the OpenFlow subset Sluice runs: Windmill's field names and meaning.
public struct FlowDefinition: Sendable, Equatable {
    public var summary: String
    public var description: String
    /// JSON Schema of `flow_input`, if the flow declares one.
    public var schema: JSONValue?
    public var modules: [FlowModule]
    /// Runs when the flow fails, with `error` in scope; the flow still ends failed.
    public var failureModule: FlowModule?
    /// `preprocessor_module`: shapes a trigger's event into the flow's input before the first
    /// module, for runs a trigger starts (a run started otherwise skips it).
    public var preprocessorModule: FlowModule?
    /// `same_worker`: the steps run on the worker that ran the first one and share a `./shared`
    /// folder, private to the run, kept until the run ends.
    public var sameWorker = false
    /// `flow_env`: named values every expression of the flow reads as `flow_env.NAME`.
    public var environment: JSONValue = .emptyObject

    public init(
        summary: String = "",
        description: String = "",
        schema: JSONValue? = nil,
        modules: [FlowModule],
        failureModule: FlowModule? = nil
    ) {
        self.summary = summary
        self.description = description
        self.schema = schema
        self.modules = modules
        self.failureModule = failureModule
    }

    /// The modules a frame runs: the top level, the failure module, or a container's child
    /// (`nil` when the frame does not fit this definition).
    public func modules(of frame: FrameID) -> [FlowModule]? {
        var current: [FlowModule]
        switch frame.root {
        case .main: current = modules
        case .failure: current = failureModule.map { [$0] } ?? []
        case .preprocessor: current = preprocessorModule.map { [$0] } ?? []
        }
        for hop in frame.hops {
            guard current.indices.contains(hop.module) else { return nil }
            let value = current[hop.module].value
            let children = value.children
            let index = Self.childSequence(of: value, child: hop.child)
            guard children.indices.contains(index) else { return nil }
            current = children[index]
        }
        return current
    }

    /// The module a frame runs at `cursor`.
    public func module(in frame: FrameID, at cursor: Int) -> FlowModule? {
        guard let sequence = modules(of: frame), sequence.indices.contains(cursor) else { return nil }
        return sequence[cursor]
    }

    /// Which of a container's module lists a child runs: a loop's iterations all run its body
    /// (list 0); a branch runs its own list.
    static func childSequence(of value: ModuleValue, child: Int) -> Int {
        switch value {
        case .forLoop, .whileLoop: 0
        case .branchOne, .branchAll, .rawScript, .script, .flow, .identity: child
        }
    }

    /// Every module, depth first (nested modules after their container), then the failure module,
    /// then the preprocessor module.
    public var allModules: [FlowModule] {
        func walk(_ modules: [FlowModule]) -> [FlowModule] {
            modules.flatMap { module in [module] + module.value.children.flatMap(walk) }
        }
        return walk(modules) + (failureModule.map { walk([$0]) } ?? []) + (preprocessorModule.map { walk([$0]) } ?? [])
    }

    /// Where each module sits: the static path of its sequence (container index, list index
    /// pairs from the top), under the main modules or the failure module, and its index there.
    public var locations: [String: ModuleLocation] {
        var found: [String: ModuleLocation] = [:]
        func walk(_ modules: [FlowModule], root: FrameID.Root, path: [FrameID.Hop]) {
            for (index, module) in modules.enumerated() {
                found[module.id] = ModuleLocation(root: root, path: path, index: index)
                for (list, children) in module.value.children.enumerated() {
                    walk(children, root: root, path: path + [FrameID.Hop(module: index, child: list)])
                }
            }
        }
        walk(modules, root: .main, path: [])
        if let failureModule { walk([failureModule], root: .failure, path: []) }
        if let preprocessorModule { walk([preprocessorModule], root: .preprocessor, path: []) }
        return found
    }
}

/// Where a module sits in a definition (see ``FlowDefinition/locations``).
public struct ModuleLocation: Sendable, Equatable {
    public var root: FrameID.Root
    /// The static path of its sequence: container index and module-list index at each level.
    public var path: [FrameID.Hop]
    public var index: Int
}

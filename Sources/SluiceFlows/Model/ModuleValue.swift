public import SluiceCore

/// What a module runs.
public enum ModuleValue: Sendable, Equatable {
    /// A script written into the flow.
    case rawScript(language: ScriptLanguage, content: String, inputTransforms: [NamedTransform])
    /// A pushed script, by path: its current version when the step runs — or, with `hash` (a
    /// version pin: the SHA-256 of a stored version, or 12 or more of its first hex digits), that
    /// version when it is stored.
    case script(path: String, inputTransforms: [NamedTransform], hash: String? = nil)
    /// A pushed flow, by path, run as a flow job of its own whose result is this module's result.
    case flow(path: String, inputTransforms: [NamedTransform])
    /// Passes its input (the previous result) through; runs no process.
    case identity
    /// `forloopflow`: its modules once per element of `iterator`.
    case forLoop(ForLoop)
    /// `whileloopflow`: its modules again and again until a stop condition holds.
    case whileLoop(WhileLoop)
    /// `branchone`: the modules of the first branch whose predicate holds, else the default.
    case branchOne(BranchOne)
    /// `branchall`: the modules of every branch.
    case branchAll(BranchAll)

    /// The module's argument transforms, in order (scripts and subflows).
    public var inputTransforms: [NamedTransform] {
        switch self {
        case .rawScript(_, _, let transforms), .script(_, let transforms, _), .flow(_, let transforms): transforms
        case .identity, .forLoop, .whileLoop, .branchOne, .branchAll: []
        }
    }

    /// The OpenFlow type name: `rawscript`, `script`, `flow`, `identity`, `forloopflow`, ...
    public var typeName: String {
        switch self {
        case .rawScript: "rawscript"
        case .script: "script"
        case .flow: "flow"
        case .identity: "identity"
        case .forLoop: "forloopflow"
        case .whileLoop: "whileloopflow"
        case .branchOne: "branchone"
        case .branchAll: "branchall"
        }
    }

    /// The module lists a container runs, by child index: a loop's body is child 0; `branchone`'s
    /// branches are 0..<n and its default is n; `branchall`'s branches are 0..<n. Empty for modules
    /// that hold no modules.
    public var children: [[FlowModule]] {
        switch self {
        case .forLoop(let loop): [loop.modules]
        case .whileLoop(let loop): [loop.modules]
        case .branchOne(let branches): branches.branches.map(\.modules) + [branches.defaultModules]
        case .branchAll(let branches): branches.branches.map(\.modules)
        case .rawScript, .script, .flow, .identity: []
        }
    }

    /// Whether the module is a loop.
    public var isLoop: Bool {
        switch self {
        case .forLoop, .whileLoop: true
        case .branchOne, .branchAll, .rawScript, .script, .flow, .identity: false
        }
    }

    /// Whether the module holds other modules (loops and branches).
    public var isContainer: Bool {
        switch self {
        case .forLoop, .whileLoop, .branchOne, .branchAll: true
        case .rawScript, .script, .flow, .identity: false
        }
    }
}

/// `forloopflow`.
public struct ForLoop: Sendable, Equatable {
    /// Gives the array to iterate over.
    public var iterator: InputTransform
    /// Whether iterations run at the same time.
    public var parallel: Bool
    /// At most this many iterations at once when parallel (nil: all of them).
    public var parallelism: InputTransform?
    /// A failed iteration puts its error in the results instead of failing the loop.
    public var skipFailures: Bool
    public var modules: [FlowModule]

    public init(
        iterator: InputTransform, parallel: Bool = false, parallelism: InputTransform? = nil, skipFailures: Bool = false, modules: [FlowModule]
    ) {
        self.iterator = iterator
        self.parallel = parallel
        self.parallelism = parallelism
        self.skipFailures = skipFailures
        self.modules = modules
    }
}

/// `whileloopflow`.
public struct WhileLoop: Sendable, Equatable {
    /// A failed iteration puts its error in the results instead of failing the loop.
    public var skipFailures: Bool
    public var modules: [FlowModule]
    /// The most iterations the loop may run (Sluice's `max_iterations`, default 10,000): reaching it
    /// fails the loop with a message saying so.
    public var maximumIterations: Int

    public static let defaultMaximumIterations = 10_000

    public init(skipFailures: Bool = false, modules: [FlowModule], maximumIterations: Int = WhileLoop.defaultMaximumIterations) {
        self.skipFailures = skipFailures
        self.modules = modules
        self.maximumIterations = maximumIterations
    }
}

/// `branchone`.
public struct BranchOne: Sendable, Equatable {
    /// One branch: its predicate and its modules.
    public struct Branch: Sendable, Equatable {
        public var summary: String
        public var expression: String
        public var modules: [FlowModule]

        public init(summary: String = "", expression: String, modules: [FlowModule]) {
            self.summary = summary
            self.expression = expression
            self.modules = modules
        }
    }

    public var branches: [Branch]
    public var defaultModules: [FlowModule]

    public init(branches: [Branch], defaultModules: [FlowModule]) {
        self.branches = branches
        self.defaultModules = defaultModules
    }
}

/// `branchall`.
public struct BranchAll: Sendable, Equatable {
    /// One branch: its modules, and whether its failure is tolerated.
    public struct Branch: Sendable, Equatable {
        public var summary: String
        /// A failure of this branch puts its error in the results instead of failing the module.
        public var skipFailure: Bool
        public var modules: [FlowModule]

        public init(summary: String = "", skipFailure: Bool = false, modules: [FlowModule]) {
            self.summary = summary
            self.skipFailure = skipFailure
            self.modules = modules
        }
    }

    public var branches: [Branch]
    /// Whether the branches run at the same time.
    public var parallel: Bool

    public init(branches: [Branch], parallel: Bool = false) {
        self.branches = branches
        self.parallel = parallel
    }
}

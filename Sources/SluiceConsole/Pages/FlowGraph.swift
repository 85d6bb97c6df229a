import SluiceCore
import SluiceFlows
import SluiceStore

/// A flow run as a tree to draw: its definition's modules in order, each with the step that ran
/// it (the latest, by creation), containers with their children — a loop's iterations, every
/// branch of a `branchone` (the one taken marked, the others dimmed as not taken), every branch
/// of a `branchall` — and the gate of a suspending module. Pure: built from the definition and
/// the run's steps and gates as read.
struct FlowGraph: Equatable {
    /// One module.
    struct Node: Equatable {
        var moduleID: String
        var type: String
        var summary: String
        var frame: String
        var step: JobDetail.Step?
        var gate: GateRecord?
        /// Not reached in this run (a branch not taken, a module after where the run stopped).
        var dimmed: Bool
        /// A container's children, one column each (empty for modules that hold none).
        var columns: [Column] = []
        /// Iterations not drawn (a loop shows at most ``FlowGraph/iterationsDrawn``).
        var hiddenIterations = 0
    }

    /// One child of a container: an iteration or a branch.
    struct Column: Equatable {
        var label: String
        /// For branches: whether this run took it (nil for loop iterations).
        var taken: Bool?
        var iteration: Int?
        var nodes: [Node]
    }

    var nodes: [Node]
    /// The failure module, when it ran.
    var failure: [Node]

    static let iterationsDrawn = 12

    init(definition: FlowDefinition, steps: [JobDetail.Step], gates: [GateRecord]) {
        var latest: [String: JobDetail.Step] = [:]
        var childFrames: [String: Set<Int>] = [:]
        for step in steps {
            latest["\(step.frame)#\(step.cursor)"] = step
            // Every prefix `F.i.k` of the step's frame names child k of module i in frame F.
            let parts = step.frame.split(separator: ".").map(String.init)
            var index = 1
            while index + 1 < parts.count {
                let container = parts[0..<(index + 1)].joined(separator: ".")
                if let child = Int(parts[index + 1]) { childFrames[container, default: []].insert(child) }
                index += 2
            }
        }
        let gatesByStep = Dictionary(gates.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func sequence(_ frame: String, _ modules: [FlowModule], dimmed: Bool) -> [Node] {
            modules.enumerated().map { index, module in
                let step = latest["\(frame)#\(index)"]
                var node = Node(
                    moduleID: module.id, type: module.value.typeName, summary: module.summary, frame: frame, step: step,
                    gate: step.flatMap { gatesByStep[$0.id] }, dimmed: dimmed || step == nil)
                let children = childFrames["\(frame).\(index)"] ?? []
                let prefix = "\(frame).\(index)."
                switch module.value {
                case .forLoop(let loop):
                    node.columns = iterations(children, prefix: prefix, loop.modules, dimmed: node.dimmed, hidden: &node.hiddenIterations)
                case .whileLoop(let loop):
                    node.columns = iterations(children, prefix: prefix, loop.modules, dimmed: node.dimmed, hidden: &node.hiddenIterations)
                case .branchOne(let branches):
                    let all =
                        branches.branches.map { ($0.summary.isEmpty ? $0.expression : $0.summary, $0.modules) } + [
                            ("default", branches.defaultModules)
                        ]
                    node.columns = all.enumerated().map { child, branch in
                        let taken = children.contains(child)
                        return Column(label: branch.0, taken: taken, nodes: sequence(prefix + String(child), branch.1, dimmed: node.dimmed || !taken))
                    }
                case .branchAll(let branches):
                    node.columns = branches.branches.enumerated().map { child, branch in
                        let taken = children.contains(child)
                        return Column(
                            label: branch.summary.isEmpty ? "branch \(child + 1)" : branch.summary, taken: taken,
                            nodes: sequence(prefix + String(child), branch.modules, dimmed: node.dimmed || !taken))
                    }
                case .rawScript, .script, .flow, .identity: break
                }
                return node
            }
        }
        func iterations(_ children: Set<Int>, prefix: String, _ modules: [FlowModule], dimmed: Bool, hidden: inout Int) -> [Column] {
            let ran = children.sorted()
            guard !ran.isEmpty else {
                return [Column(label: "each iteration", taken: nil, iteration: nil, nodes: sequence(prefix + "0", modules, dimmed: true))]
            }
            hidden = max(0, ran.count - Self.iterationsDrawn)
            return ran.prefix(Self.iterationsDrawn).map { child in
                Column(
                    label: "iteration \(child + 1)", taken: nil, iteration: child, nodes: sequence(prefix + String(child), modules, dimmed: dimmed))
            }
        }
        nodes = sequence("r", definition.modules, dimmed: false)
        let failureRan = steps.contains { $0.frame == "f" || $0.frame.hasPrefix("f.") }
        failure = failureRan ? sequence("f", definition.failureModule.map { [$0] } ?? [], dimmed: false) : []
    }
}

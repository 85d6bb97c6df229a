import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore

/// What the runtime read of a run to decide about one module.
struct ScopeRead {
    var scope: StepScope
    var flowFields: [String: String]
    /// Frame and container records by id.
    var records: [String: JSONValue]
    /// A container's collected children results, when asked for.
    var collected: [Int: JSONValue]
    /// Every result field read, by field.
    var results: [String: JSONValue]
    /// The references refused for access (for the step's logs).
    var refusals: [String] = []
}

/// What one module's scope is read from (``FlowEngine/scopePlan(flow:stepper:frame:cursor:collected:extraResults:)``):
/// the snapshot to ask Redis for, and what the answer's parts mean.
struct ScopePlan {
    /// A loop among the frame's lineage: the iteration's frame, its container, the loop module.
    struct Loop {
        var frame: FrameID
        var container: ContainerID
        var value: ModuleValue
    }

    var request: FlowSnapshot.Request
    var needs: ScopeNeeds
    var frame: FrameID
    /// The result field of the module before, when there is one in the frame.
    var previousField: String?
    /// The loops of the lineage, innermost first.
    var loops: [Loop]
    /// For a for loop among `loops` (by position), where its element is in the request's items.
    var itemPosition: [Int: Int]
}

/// A module's position in a run, for decisions and their operations.
struct Place {
    var flow: JobID
    var frame: FrameID
    var cursor: Int
    var attempt: Int
    /// The frame's current job: the step (or container, or subflow step) at `cursor`.
    var job: JobID
}

extension FlowEngine {
    /// The flow fields every decision reads.
    static let baseFlowFields = [JobRecord.Field.state, .createdBy, .queue, .path, .flowHash, .sameWorker].map(\.rawValue)

    /// Reads, in one round trip, what the module at `cursor` of `frame` needs: the flow's state,
    /// the frame's lineage (records of every enclosing frame and container), the results its
    /// expressions name, the previous result, the current loop element — and, when asked, a
    /// container's collected results. With `prefetched` (what `advance_flow` read for the step in
    /// the call that took it, from the same ``scopePlan``), nothing is read but the references.
    func readScope(
        flow: JobID, stepper: FlowStepper, frame: FrameID, cursor: Int, collected container: String? = nil, extraResults: [String] = [],
        prefetched: FlowSnapshot? = nil, on connection: RedisConnection
    ) throws(RedisError) -> ScopeRead {
        let plan = scopePlan(flow: flow, stepper: stepper, frame: frame, cursor: cursor, collected: container, extraResults: extraResults)
        let snapshot: FlowSnapshot
        // A snapshot read ahead is used only when it asked what this step asks (a first step's
        // request was written by whoever started the flow, maybe another version of Sluice).
        if let prefetched, prefetched.request.asksSame(as: plan.request) {
            snapshot = prefetched
        } else {
            snapshot = try flows.read(plan.request, on: connection)
        }
        return try scope(from: snapshot, plan: plan, on: connection)
    }

    /// What the module at `cursor` of `frame` needs read, and how to make its scope of it.
    func scopePlan(flow: JobID, stepper: FlowStepper, frame: FrameID, cursor: Int, collected container: String? = nil, extraResults: [String] = [])
        -> ScopePlan
    {
        let needs = stepper.needs(frame: frame, cursor: cursor)
        let definition = stepper.definition
        var flowFields = Self.baseFlowFields
        let previousFromInput = cursor == 0 && frame.root == .main
        // A preprocessor step's arguments are the run's input (the trigger's event) as it is.
        if needs.flowInput || (previousFromInput && needs.previousResult) || frame.root == .preprocessor {
            flowFields.append(JobRecord.Field.arguments.rawValue)
        }
        var records: [String] = container.map { [$0] } ?? []
        for member in frame.lineage {
            records.append(member.description)
            if let owner = member.container { records.append(owner.description) }
        }
        var results = needs.results.map(\.field)
        var previousField: String?
        if cursor > 0, let previous = definition.module(in: frame, at: cursor - 1) {
            let field = ResultReference(frame: frame, moduleID: previous.id).field
            previousField = field
            if needs.previousResult { results.append(field) }
        }
        results += extraResults
        // The loop iterations among the frame's lineage, innermost first: `flow_input.iter`, `iter_parent`...
        var loops: [ScopePlan.Loop] = []
        for member in frame.lineage {
            guard let owner = member.container, let module = definition.module(in: owner.frame, at: owner.cursor), module.value.isLoop else {
                continue
            }
            loops.append(ScopePlan.Loop(frame: member, container: owner, value: module.value))
        }
        var items: [(container: String, child: Int)] = []
        var itemPosition: [Int: Int] = [:]
        for (position, loop) in loops.enumerated() {
            guard case .forLoop = loop.value, let child = loop.frame.childIndex else { continue }
            itemPosition[position] = items.count
            items.append((loop.container.description, child))
        }
        return ScopePlan(
            request: FlowSnapshot.Request(flow: flow, flowFields: flowFields, records: records, results: results, items: items, collected: container),
            needs: needs, frame: frame, previousField: previousField, loops: loops, itemPosition: itemPosition)
    }

    /// The scope a plan's snapshot makes; the module's variables and resources are resolved here
    /// (a second round trip, only for modules that name some).
    func scope(from snapshot: FlowSnapshot, plan: ScopePlan, on connection: RedisConnection) throws(RedisError) -> ScopeRead {
        let frame = plan.frame
        let needs = plan.needs
        let input = snapshot.flowFields[JobRecord.Field.arguments.rawValue].flatMap(flows.parsedTexts.value(parsing:)) ?? .emptyObject
        var scope = StepScope(flowInput: input, createdBy: snapshot.flowFields[JobRecord.Field.createdBy.rawValue])
        for reference in needs.results {
            if let value = snapshot.results[reference.field] { scope.results[reference.moduleID] = value }
        }
        if let previousField = plan.previousField {
            scope.previousResult = snapshot.results[previousField] ?? .null
        } else if frame == .main {
            scope.previousResult = input
        } else if frame == .preprocessor {
            scope.previousResult = input
        } else if frame == .failure {
            scope.previousResult = Self.embedded(snapshot.records[FrameID.failure.description]?[FrameRecord.Field.error.rawValue]) ?? .null
        }
        var iterations: [StepScope.Iteration] = []
        for (position, loop) in plan.loops.enumerated() {
            guard let child = loop.frame.childIndex else { continue }
            // A while loop's element is its index, as in Windmill.
            let value: JSONValue = plan.itemPosition[position].map { snapshot.items[$0] ?? .null } ?? .number(Double(child))
            iterations.append(StepScope.Iteration(index: child, value: value))
        }
        scope.iteration = iterations.first
        scope.enclosingIterations = Array(iterations.dropFirst())
        if plan.previousField == nil, frame.root == .main, !frame.isTopLevel {
            // As in Windmill, a loop iteration or branch starts from its own input: the flow's
            // input with `iter` (the previous module's result is `results.<id>`).
            scope.previousResult = scope.inputWithIteration
        }
        for member in frame.lineage {
            if let context = Self.embedded(snapshot.records[member.description]?[FrameRecord.Field.resume.rawValue]).flatMap(
                ResumeContext.init(json:))
            {
                scope.resume = context
                break
            }
        }
        if frame.root == .failure { scope.error = Self.embedded(snapshot.records[FrameID.failure.description]?[FrameRecord.Field.error.rawValue]) }
        var read = ScopeRead(
            scope: scope, flowFields: snapshot.flowFields, records: snapshot.records, collected: snapshot.collected, results: snapshot.results)
        if !needs.references.isEmpty {
            // Checked against the flow's path alone — a flow's expressions have the flow's rights,
            // never those of a script it runs (that script has its own, in its own process).
            let caller = Caller(paths: [snapshot.flowFields[JobRecord.Field.path.rawValue]].compactMap { $0 })
            let resolution = try resolver.resolve(needs.references, for: caller, on: connection)
            read.scope.references = resolution.values
            read.scope.secrets = resolution.secrets
            read.refusals = resolution.refusals
        }
        return read
    }

    /// A JSON value kept as text inside a record (so Lua's JSON round trips keep its key order).
    static func embedded(_ value: JSONValue?) -> JSONValue? {
        guard let text = value?.stringValue else { return value }
        return try? JSONValue(parsing: text)
    }
}

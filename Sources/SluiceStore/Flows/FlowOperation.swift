public import SluiceCore

/// One named operation of `advance_flow` (Lua/include/flows.lua), applied in order when a
/// decision's guard holds. The store knows nothing of what a flow means; the flow runtime decides
/// and composes these.
public enum FlowOperation: Sendable, Equatable {
    /// Creates a flow's job hash with these fields (a new run, or a subflow's).
    case create(flow: JobID, fields: [String])
    /// Records a module's result under `field` of the results hash.
    case record(field: String, value: JSONValue)
    /// Creates a step job and points its frame at it.
    case step(StepCreation)
    /// Changes fields of a frame record (`resume` after a gate, `error` of the failure frame).
    case frame(id: String, set: [FrameRecord.Field: JSONValue], unset: [FrameRecord.Field] = [], flow: JobID? = nil)
    /// Opens the gate of the step that just finished and parks its frame.
    case park(frame: String, gate: JobID, timeoutMilliseconds: Int, page: JSONValue, eventID: JobID)
    /// Opens a container: its record, elements and first children.
    case open(ContainerRecord, frame: String, items: [JSONValue]?, ids: [JobID], eventID: JobID)
    /// A child frame of a container ended with `result` (for `fail`: the container fails with `message`).
    case join(
        container: String, child: Int, result: JSONValue, disposition: JoinDisposition, message: String, forget: [String], ids: [JobID],
        eventID: JobID)
    /// Finishes a step job that waited on children or a subflow.
    case closeWaiting(job: JobID, outcome: JobOutcome)
    /// Deletes a finished container's keys and record.
    case dropContainer(String)
    /// Ends a container early (a stop in one of its branches): its other children canceled, its
    /// keys dropped, its waiting step finished with `result`.
    case abandonContainer(String, job: JobID, result: JSONValue)
    /// Links a step to the subflow it started.
    case link(job: JobID, subflow: JobID)
    /// Ends a flow run (cancels what it still runs; tells a subflow's parent with `eventID`).
    case finish(flow: JobID? = nil, state: JobState, result: JSONValue?, error: String?, skipped: Bool, eventID: JobID)
    /// Cancels a flow run with everything it runs.
    case cancel(flow: JobID? = nil, reason: String, eventID: JobID)
    /// Keeps a module's result for identical inputs (`cache_ttl`) at `key` for `seconds`.
    case cache(key: String, value: JSONValue, seconds: Int)
    /// Replaces the flow's input (`args`): what a triggered run's preprocessor returned.
    case setInput(JSONValue)

    /// The operations' names, as the plan gives them (`"op"`) and `apply_ops` dispatches on them:
    /// the Lua prelude carries them as `FLOW_OP.<name>` and, as a set, `FLOW_OPERATIONS`.
    public enum Name: String, CaseIterable, Sendable {
        case create
        case setInput = "set_input"
        case record
        case step
        case frame
        case park
        case openContainer = "open_container"
        case join
        case closeWaiting = "close_waiting"
        case abandonContainer = "abandon_container"
        case dropContainer = "drop_container"
        case link
        case finish
        case cache
        case cancel
    }

    /// What a finished child does to its container (the Lua prelude carries these as `JOIN_DISPOSITION.<name>`).
    public enum JoinDisposition: String, CaseIterable, Sendable, Equatable {
        /// Collect its result and go on.
        case proceed
        /// Collect its result and complete the container now (a loop broken).
        case stop
        /// Fail the container (its other children are canceled).
        case fail
    }

    /// The operation as `advance_flow` reads it; the texts of the values it carries come from
    /// `texts`, so a value the plan carries more than once is written once.
    func json(texts: inout JSONTextMemo) -> JSONValue {
        func ids(_ list: [JobID]) -> JSONValue { .array(list.map { .string($0.rawValue) }) }
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        func op(_ name: Name) -> JSONValue { .string(name.rawValue) }
        switch self {
        case .create(let flow, let fields):
            return ["op": op(.create), "flow": .string(flow.rawValue), "fields": strings(fields)]
        case .setInput(let input):
            return ["op": op(.setInput), "args": .string(texts.text(of: input))]
        case .record(let field, let value):
            return ["op": op(.record), "field": .string(field), "value": .string(texts.text(of: value))]
        case .step(let step):
            return step.json
        case .frame(let id, let set, let unset, let flow):
            var members: [(String, JSONValue)] = [
                ("op", op(.frame)), ("frame", .string(id)),
                ("set", JSONValue(members: set.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 })),
                ("unset", strings(unset.map(\.rawValue))),
            ]
            if let flow { members.append(("flow", .string(flow.rawValue))) }
            return JSONValue(members: members)
        case .park(let frame, let gate, let timeout, let page, let event):
            return [
                "op": op(.park), "frame": .string(frame), "gate": .string(gate.rawValue), "timeout_ms": .number(Double(timeout)),
                "page": .string(page.jsonText), "event_id": .string(event.rawValue),
            ]
        case .open(let record, let frame, let items, let list, let event):
            var members: [(String, JSONValue)] = [
                ("op", op(.openContainer)), ("container", .string(record.id)), ("frame", .string(frame)), ("record", record.json), ("ids", ids(list)),
                ("event_id", .string(event.rawValue)),
            ]
            if let items { members.append(("items", .array(items.map { .string($0.jsonText) }))) }
            if let templates = record.templates { members.append(("templates", .array(templates.map { $0?.json ?? ["empty": true] }))) }
            return JSONValue(members: members)
        case .join(let container, let child, let result, let disposition, let message, let forget, let list, let event):
            return [
                "op": op(.join), "container": .string(container), "child": .number(Double(child)), "result": .string(texts.text(of: result)),
                "disposition": .string(disposition.rawValue), "message": .string(message), "forget": strings(forget),
                "ids": ids(list), "event_id": .string(event.rawValue),
            ]
        case .closeWaiting(let job, let outcome):
            switch outcome {
            case .success(let value):
                return ["op": op(.closeWaiting), "job": .string(job.rawValue), "state": "success", "result": .string(texts.text(of: value))]
            case .failure(let message): return ["op": op(.closeWaiting), "job": .string(job.rawValue), "state": "failure", "error": .string(message)]
            }
        case .dropContainer(let id):
            return ["op": op(.dropContainer), "container": .string(id)]
        case .abandonContainer(let id, let job, let result):
            return ["op": op(.abandonContainer), "container": .string(id), "job": .string(job.rawValue), "result": .string(texts.text(of: result))]
        case .link(let job, let subflow):
            return ["op": op(.link), "job": .string(job.rawValue), "subflow": .string(subflow.rawValue)]
        case .finish(let flow, let state, let result, let error, let skipped, let event):
            var members: [(String, JSONValue)] = [("op", op(.finish)), ("state", .string(state.rawValue)), ("event_id", .string(event.rawValue))]
            if let flow { members.append(("flow", .string(flow.rawValue))) }
            if let result { members.append(("result", .string(texts.text(of: result)))) }
            if let error { members.append(("error", .string(error))) }
            if skipped { members.append(("skipped", true)) }
            return JSONValue(members: members)
        case .cache(let key, let value, let seconds):
            return ["op": op(.cache), "key": .string(key), "value": .string(texts.text(of: value)), "seconds": .number(Double(seconds))]
        case .cancel(let flow, let reason, let event):
            var members: [(String, JSONValue)] = [("op", op(.cancel)), ("reason", .string(reason)), ("event_id", .string(event.rawValue))]
            if let flow { members.append(("flow", .string(flow.rawValue))) }
            return JSONValue(members: members)
        }
    }
}

/// A step job to create: its frame position and what its module says.
public struct StepCreation: Sendable, Equatable {
    public var flow: JobID?
    public var id: JobID
    public var frame: String
    public var cursor: Int
    public var attempt: Int
    public var delayMilliseconds: Int
    public var template: StepTemplate

    public init(flow: JobID? = nil, id: JobID, frame: String, cursor: Int, attempt: Int, delayMilliseconds: Int = 0, template: StepTemplate) {
        self.flow = flow
        self.id = id
        self.frame = frame
        self.cursor = cursor
        self.attempt = attempt
        self.delayMilliseconds = delayMilliseconds
        self.template = template
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("op", .string(FlowOperation.Name.step.rawValue)), ("id", .string(id.rawValue)), ("frame", .string(frame)),
            ("cursor", .number(Double(cursor))),
            ("attempt", .number(Double(attempt))), ("delay_ms", .number(Double(delayMilliseconds))),
            ("fields", .array(template.fields.map { .string($0) })),
        ]
        if let flow { members.append(("flow", .string(flow.rawValue))) }
        return JSONValue(members: members)
    }
}

/// What a module's step jobs carry from the definition (Lua starts loop iterations from it):
/// `module_id`, `module_type`, and for scripts their path or content hash and language, and priority.
public struct StepTemplate: Sendable, Equatable {
    public var fields: [String]

    public init(fields: [String]) {
        self.fields = fields
    }

    var json: JSONValue { ["fields": .array(fields.map { .string($0) })] }
}

/// A container's record: how many children, how many at once, what each starts with.
public struct ContainerRecord: Sendable, Equatable {
    /// The fields of a container's record in `P:job:<flow>:frames` (JSON), defined once: the Lua
    /// prelude (``LuaPrelude``) carries them as `CONTAINER.<field>`, and the flow scripts read and
    /// write a record only through those names (a test checks).
    public enum Field: String, CaseIterable, Sendable {
        case kind
        /// The container's waiting step.
        case job
        /// How many children (a while loop: its cap).
        case count = "n"
        case parallelism = "par"
        /// `previous_result` for the children's first modules, JSON text.
        case previous = "prev"
        /// The children in order, when not 0..<count.
        case order
        /// The first step of every child.
        case template = "tpl"
        /// Whether the first steps of each child by index are stored apart (`P:…:tpl:<container>`).
        case templates = "tpls"
        /// A while loop's cap.
        case maximum = "max"
        /// Children started so far.
        case launched
        /// Children finished so far.
        case done
        /// The message of the child failure that fails the container.
        case failed
        /// Set when a child stopped the container (`stop_after_if`, branchone's choice).
        case stop
        /// Set once the container completed (its result handed to its step).
        case closed
    }

    /// `<frame>.<cursor>`.
    public var id: String
    public var kind: ContainerKind
    /// The container's own step job, which waits until the children are done.
    public var job: JobID
    /// How many children (a while loop: its iteration cap).
    public var count: Int
    public var parallelism: Int
    /// The children in order, when they are not simply 0..<count (a chosen branch).
    public var order: [Int]?
    /// The first step of every child (loops), or of each child by index (branches; nil: no modules).
    public var template: StepTemplate?
    public var templates: [StepTemplate?]?
    /// `previous_result` for the children's first modules, and an empty child's result: stored
    /// only for a container that may have an empty child.
    public var previous: JSONValue
    /// A while loop's cap: reaching it fails the loop.
    public var maximum: Int?

    public init(
        id: String, kind: ContainerKind, job: JobID, count: Int, parallelism: Int, order: [Int]? = nil, template: StepTemplate? = nil,
        templates: [StepTemplate?]? = nil, previous: JSONValue, maximum: Int? = nil
    ) {
        self.id = id
        self.kind = kind
        self.job = job
        self.count = count
        self.parallelism = parallelism
        self.order = order
        self.template = template
        self.templates = templates
        self.previous = previous
        self.maximum = maximum
    }

    var json: JSONValue {
        var members: [(Field, JSONValue)] = [
            (.kind, .string(kind.rawValue)), (.job, .string(job.rawValue)), (.count, .number(Double(count))),
            (.parallelism, .number(Double(parallelism))),
        ]
        // Only an empty child (no first step) takes the previous result as its own: a container
        // without one leaves it out, or every join would read and write it again (a 100 KB
        // previous result made each iteration of a loop cost milliseconds).
        if templates.map({ $0.contains { $0 == nil } }) ?? (template == nil) { members.append((.previous, .string(previous.jsonText))) }
        if let order { members.append((.order, .array(order.map { .number(Double($0)) }))) }
        if let template { members.append((.template, template.json)) }
        if let maximum { members.append((.maximum, .number(Double(maximum)))) }
        return JSONValue(members: members.map { ($0.0.rawValue, $0.1) })
    }
}

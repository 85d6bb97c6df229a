public import SluiceCore

/// One flow decision as `advance_flow` applies it: the job the worker reports, the frame state
/// the decision was made from, the operations, and the worker's next job to take.
public struct FlowAdvance: Sendable {
    /// The job a worker holds and reports with this decision (a step or a flow event), fenced.
    public struct HeldJob: Sendable {
        /// How the held job ends here: finished with an outcome, or kept running without a lease
        /// (a container or subflow step waiting on its children).
        public enum Ending: Sendable {
            case finished(JobOutcome)
            case waiting
        }

        public var id: JobID
        public var kind: JobKind
        public var worker: String
        public var delivery: Int
        public var ending: Ending
        public var logs: String
        /// The arguments the step was run with (evaluated as it started).
        public var arguments: JSONValue?
        /// The step did not run (`skip_if`).
        public var skipped: Bool
        /// Whether the step's module may have a gate to close (false: its definition has none,
        /// and `advance_flow` does not look for one).
        public var gated = true
        /// Whether no process ever ran for the job (its first delivery, and nothing run: an
        /// identity module, a skip, a mock, a container or subflow opened): it then has no logs
        /// or calls keys to give a lifetime to, but the logs this report writes.
        public var bare = false

        public init(job: JobRecord, worker: String, ending: Ending, logs: String = "", arguments: JSONValue? = nil, skipped: Bool = false) {
            id = job.id
            kind = job.kind
            self.worker = worker
            delivery = job.deliveries
            self.ending = ending
            self.logs = logs
            self.arguments = arguments
            self.skipped = skipped
        }
    }

    /// The frame state the decision was made from.
    public enum Guard: Sendable, Equatable {
        /// The frame's current job is `job` (and it is not parked).
        case job(frame: String, job: JobID)
        /// The frame is parked at `gate`.
        case gate(frame: String, gate: JobID)
    }

    public var flow: JobID
    /// Whether this decision creates the flow (its first operation is `create`).
    public var creates: Bool
    public var held: HeldJob?
    public var guardState: Guard?
    public var operations: [FlowOperation]
    /// The worker and queues to take the next job for, in the same call.
    public var next: (worker: String, queues: JobStore.NextJob)?
    /// Reads for steps of this flow the operations create: when the job taken next is one of
    /// them, the same call reads its snapshot after applying the decision and answers it
    /// (``FlowStore/AdvanceResult/prefetched``), so the worker begins it without a round trip.
    /// Requests that name another flow or a container's collected results are not sent.
    public var prefetch: [JobID: FlowSnapshot.Request] = [:]
    /// With ``creates``: the trigger delivery that starts the flow (a repeat within its window
    /// starts nothing; ``FlowStore/advance(_:on:)`` throws ``FlowStore/DuplicateDelivery``).
    public var delivery: Delivery?
    /// With ``creates``: the running job that starts the flow through its channel, when one does
    /// (``FlowStore/advance(_:on:)`` throws ``CallRefusal`` when it may not).
    public var call: CallLink?

    public init(flow: JobID, creates: Bool = false, held: HeldJob? = nil, guardState: Guard? = nil, operations: [FlowOperation] = []) {
        self.flow = flow
        self.creates = creates
        self.held = held
        self.guardState = guardState
        self.operations = operations
    }

    func json(settings: StoreSettings) -> JSONValue {
        // A step's result is its outcome, its recorded result and often the next step's
        // arguments or the flow's result: each value's text is written once.
        var texts = JSONTextMemo()
        var members: [(String, JSONValue)] = [
            ("flow", .string(flow.rawValue)), ("retention", .number(Double(settings.retentionSeconds))),
            ("cap", .number(Double(settings.finishedIndexCap))), ("ops", .array(operations.map { $0.json(texts: &texts) })),
        ]
        if creates { members.append(("create", true)) }
        if creates, let delivery { members.append(("delivery", delivery.json)) }
        if creates, let call { members.append(("call", call.json)) }
        if let held {
            var job: [(String, JSONValue)] = [
                ("id", .string(held.id.rawValue)), ("kind", .string(held.kind.rawValue)), ("worker", .string(held.worker)),
                ("delivery", .number(Double(held.delivery))), ("logs", .string(held.logs)),
            ]
            switch held.ending {
            case .waiting: job.append(("state", "wait"))
            case .finished(.success(let value)): job += [("state", "success"), ("payload", .string(texts.text(of: value)))]
            case .finished(.failure(let message)): job += [("state", "failure"), ("payload", .string(message))]
            }
            if let arguments = held.arguments { job.append(("args", .string(texts.text(of: arguments)))) }
            if held.skipped { job.append(("skipped", true)) }
            if !held.gated { job.append(("ungated", true)) }
            if held.bare { job.append(("bare", true)) }
            members.append(("held", JSONValue(members: job)))
        }
        switch guardState {
        case .job(let frame, let job)?: members.append(("guard", ["frame": .string(frame), "job": .string(job.rawValue)]))
        case .gate(let frame, let gate)?: members.append(("guard", ["frame": .string(frame), "gate": .string(gate.rawValue)]))
        case nil: break
        }
        if let next {
            members.append(
                (
                    "next",
                    [
                        "worker": .string(next.worker), "lease_ms": .number(Double(next.queues.leaseMilliseconds)),
                        "queues": .array(next.queues.queues.map { .string($0) }),
                    ]
                ))
        }
        let prefetched = prefetch.filter { $0.value.flow == flow && $0.value.collected == nil }
        if next != nil, !prefetched.isEmpty {
            members.append(("prefetch", JSONValue(members: prefetched.map { ($0.key.rawValue, $0.value.prefetchJSON) })))
        }
        return JSONValue(members: members)
    }
}

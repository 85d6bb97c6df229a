/// Typed views of the fields a flow run, a step, a subflow or a scheduled run keeps besides the
/// common ones (docs/redis-keys.md), so no layer reads `extra["..."]` by hand.
extension JobRecord {
    /// A step's module id.
    public var moduleID: String? { extra[Field.moduleID.rawValue] }
    /// A step's module type (`rawscript`, `script`, `identity`, `flow`, `forloopflow`, ...).
    public var moduleType: String? { extra[Field.moduleType.rawValue] }
    /// Which attempt this is (a step's retry, a scheduled run's retry); 1 for the first.
    public var attempt: Int { extra[Field.attempt.rawValue].flatMap { Int($0) } ?? 1 }
    /// Whether the job stated its attempt (only steps and retried runs do).
    public var hasAttempt: Bool { extra[Field.attempt.rawValue] != nil }
    /// A step's frame (`r`, `f`, `r.2.17`, ...).
    public var frame: String? { extra[Field.frame.rawValue] }
    /// The flow document version a flow run or step runs.
    public var flowHash: String? { extra[Field.flowHash.rawValue] }
    /// Marked skipped (`skip_if`, or `stop_after_if` with `skip_if_stopped`).
    public var isSkipped: Bool { extra[Field.skipped.rawValue] == "1" }
    /// The flow job a `flow` step started.
    public var subflow: String? { extra[Field.subflow.rawValue] }
    /// For a subflow: the flow and the step that started it.
    public var parentFlow: String? { extra[Field.parentFlow.rawValue] }
    public var parentJob: String? { extra[Field.parentJob.rawValue] }
    /// For a scheduled run: its schedule and the tick that fired it.
    public var schedule: String? { extra[Field.schedule.rawValue] }
    public var scheduleTick: String? { extra[Field.scheduleTick.rawValue] }
    /// A step's position in its frame.
    public var cursor: Int? { extra[Field.cursor.rawValue].flatMap { Int($0) } }
    /// The deliveries of earlier attempts (a retried run counts `max_deliveries` per attempt).
    public var deliveriesBefore: Int? { extra[Field.deliveriesBefore.rawValue].flatMap { Int($0) } }
    /// A retried run's waits before each retry (ms), as set by its schedule.
    public var retryDelays: [JSONValue] { extra[Field.retryDelays.rawValue].flatMap { try? JSONValue(parsing: $0) }?.arrayValue ?? [] }
    /// The error of the attempt before this one.
    public var lastError: String? { extra[Field.lastError.rawValue] }
    /// For a scheduled run: the on-failure handler's path, as its schedule said when the tick fired.
    public var onFailure: String? { extra[Field.onFailure.rawValue] }
    /// For a scheduled run that failed: the on-failure run it started.
    public var onFailureJob: String? { extra[Field.onFailureJob.rawValue] }
    /// For an on-failure run: the failed run it handles, and that run's schedule.
    public var onFailureOf: String? { extra[Field.onFailureOf.rawValue] }
    public var onFailureFor: String? { extra[Field.onFailureFor.rawValue] }
    /// What started the run, for one a trigger started (`webhook`, `http_route`…).
    public var trigger: String? { extra[Field.trigger.rawValue] }
    /// For a run a job started through its channel: that job, and how deep the chain of calls is.
    public var calledBy: String? { extra[Field.calledBy.rawValue] }
    public var callDepth: Int? { extra[Field.callDepth.rawValue].flatMap { Int($0) } }
}

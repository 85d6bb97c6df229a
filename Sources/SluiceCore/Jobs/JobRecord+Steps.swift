/// Typed views of the fields a flow run, a step, a subflow or a scheduled run keeps besides the
/// common ones (docs/redis-keys.md), so no layer reads `extra["..."]` by hand.
extension JobRecord {
    /// A step's module id.
    public var moduleID: String? { extra["module_id"] }
    /// A step's module type (`rawscript`, `script`, `identity`, `flow`, `forloopflow`, ...).
    public var moduleType: String? { extra["module_type"] }
    /// Which attempt this is (a step's retry, a scheduled run's retry); 1 for the first.
    public var attempt: Int { extra["attempt"].flatMap { Int($0) } ?? 1 }
    /// Whether the job stated its attempt (only steps and retried runs do).
    public var hasAttempt: Bool { extra["attempt"] != nil }
    /// A step's frame (`r`, `f`, `r.2.17`, ...).
    public var frame: String? { extra["frame"] }
    /// The flow document version a flow run or step runs.
    public var flowHash: String? { extra["flow_hash"] }
    /// Marked skipped (`skip_if`, or `stop_after_if` with `skip_if_stopped`).
    public var isSkipped: Bool { extra["skipped"] == "1" }
    /// The flow job a `flow` step started.
    public var subflow: String? { extra["subflow"] }
    /// For a subflow: the flow and the step that started it.
    public var parentFlow: String? { extra["parent_flow"] }
    public var parentJob: String? { extra["parent_job"] }
    /// For a scheduled run: its schedule and the tick that fired it.
    public var schedule: String? { extra["schedule"] }
    public var scheduleTick: String? { extra["schedule_tick"] }
    /// A step's position in its frame.
    public var cursor: Int? { extra["cursor"].flatMap { Int($0) } }
    /// The deliveries of earlier attempts (a retried run counts `max_deliveries` per attempt).
    public var deliveriesBefore: Int? { extra["deliveries_before"].flatMap { Int($0) } }
    /// A retried run's waits before each retry (ms), as set by its schedule.
    public var retryDelays: [JSONValue] { extra["retry_delays"].flatMap { try? JSONValue(parsing: $0) }?.arrayValue ?? [] }
    /// The error of the attempt before this one.
    public var lastError: String? { extra["last_error"] }
    /// For a scheduled run that failed: the on-failure run it started.
    public var onFailureJob: String? { extra["on_failure_job"] }
    /// For an on-failure run: the failed run it handles, and that run's schedule.
    public var onFailureOf: String? { extra["on_failure_of"] }
    public var onFailureFor: String? { extra["on_failure_for"] }
    /// What started the run, for one a trigger started (`webhook`, `http_route`…).
    public var trigger: String? { extra["trigger"] }
    /// For a run a job started through its channel: that job, and how deep the chain of calls is.
    public var calledBy: String? { extra["called_by"] }
    public var callDepth: Int? { extra["call_depth"].flatMap { Int($0) } }
}

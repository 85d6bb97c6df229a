import OrderedCollections

/// A job as read back from its Redis hash: every field typed, unknown fields ignored.
///
/// The hash's field names are the documented key layout (see docs/redis-keys.md); this type is
/// the one place that reads them.
public struct JobRecord: Sendable, Equatable {
    public var id: JobID
    public var kind: JobKind
    public var state: JobState
    public var queue: String
    /// The pushed script or flow path, if the job runs one.
    public var path: String?
    /// The content hash of the script the job runs (scripts and flow steps).
    public var scriptHash: String?
    public var language: ScriptLanguage?
    public var arguments: JSONValue
    public var result: JSONValue?
    public var error: String?
    /// Milliseconds since the epoch, on Redis's clock.
    public var createdAt: Int64
    public var scheduledFor: Int64?
    public var startedAt: Int64?
    public var finishedAt: Int64?
    /// How many times a worker took the job (the fencing token of the current delivery).
    public var deliveries: Int
    public var maxDeliveries: Int
    public var worker: String?
    public var createdBy: String?
    /// Execution timeout in seconds, if the run set one.
    public var timeoutSeconds: Int?
    /// Extra environment variables for the script.
    public var environment: [String: String]
    /// The flow this job is a step of.
    public var flowID: JobID?
    /// Fields a later layer keeps in the hash (flow state, gates); read by their own types.
    public var extra: [String: String]

    /// The fields of a job's hash (`P:job:<id>`), as stored: every one that Swift or the Lua
    /// scripts read or write, named here once. The Lua prelude (`LuaPrelude` in SluiceStore) carries
    /// them as `JOB.<stored name>` (`JOB.created_at`), and a test refuses a quoted field name in Lua.
    /// Besides the fields every job has, a flow run, a step, a scheduled run, a triggered run and a
    /// call keep some of their own (docs/redis-keys.md), read through ``JobRecord/extra``.
    public enum Field: String, CaseIterable, Sendable {
        case id
        /// ``JobKind``.
        case kind
        /// ``JobState``.
        case state
        case queue
        case path
        case scriptHash = "script_hash"
        case language
        case arguments = "args"
        case result
        case error
        case createdAt = "created_at"
        case scheduledFor = "scheduled_for"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case deliveries
        case maxDeliveries = "max_deliveries"
        case worker
        case createdBy = "created_by"
        case timeout
        case environment = "env"
        /// A step's or a flow event's flow.
        case flowID = "flow_id"
        /// Above 0: taken before the jobs of its queue that wait without priority.
        case priority
        /// The worker whose expired lease handed it back.
        case lostBy = "lost_by"
        /// How many waiters `watch_job` registered (removed when it finishes).
        case watchers
        /// `1` while a container or subflow step runs without a lease, waiting on its children.
        case waiting
        /// A flow run: the document version it runs (also on its steps).
        case flowHash = "flow_hash"
        /// A flow run: how many of its steps are live.
        case steps
        /// A subflow: the flow and the step that started it.
        case parentFlow = "parent_flow"
        case parentJob = "parent_job"
        /// `1`: marked skipped (`skip_if`, or `stop_after_if` with `skip_if_stopped`).
        case skipped
        /// A flow run: the last flow event queued for it.
        case lastEvent = "last_event"
        /// A flow run: `1` when its steps run on one worker, and the worker they are pinned to.
        case sameWorker = "same_worker"
        case pinnedWorker = "pinned_worker"
        /// A flow run the audit found with nothing alive once: a digest of what it saw.
        case stuckCheck = "stuck_check"
        /// A step: `1` when it opens an approval gate; a flow run: the gate it is parked at.
        case gate
        /// A step: its frame, its position in it, its attempt (also a scheduled run's attempt).
        case frame
        case cursor
        case attempt
        case moduleID = "module_id"
        case moduleType = "module_type"
        /// A `flow` step: the flow job it started, and the path of the flow it starts.
        case subflow
        case subflowPath = "subflow_path"
        /// A `type: script` step's version pin (a content hash).
        case pinnedHash = "pinned_hash"
        /// A scheduled run: the schedule that started it (makes `finish_job` queue the run to be
        /// settled) and the tick id (seconds since the epoch) that fired it.
        case schedule
        case scheduleTick = "schedule_tick"
        /// A scheduled run: the on-failure handler's path, as the schedule said when the tick fired,
        /// and the on-failure run it started.
        case onFailure = "on_failure"
        case onFailureJob = "on_failure_job"
        /// A run with retries: JSON array of ms to wait before each retry; while a retry waits, the
        /// last failed attempt's error and the deliveries of earlier attempts.
        case retryDelays = "retry_delays"
        case lastError = "last_error"
        case deliveriesBefore = "deliveries_before"
        /// An on-failure run: the failed run it handles, and that run's schedule.
        case onFailureOf = "on_failure_of"
        case onFailureFor = "on_failure_for"
        /// A triggered run: what started it, and `1` when its script's preprocessor runs first.
        case trigger
        case preprocess
        /// A call (a job another job started through its channel): that job, how deep its chain
        /// is, the chain's first job; on that first job, how many jobs the chain started.
        case calledBy = "called_by"
        case callDepth = "call_depth"
        case callRoot = "call_root"
        case callsStarted = "calls_started"

        /// The fields ``JobRecord`` reads into properties of its own; the others go to ``JobRecord/extra``.
        static let typed: Set<String> = Set(
            [
                Field.id, .kind, .state, .queue, .path, .scriptHash, .language, .arguments, .result, .error, .createdAt, .scheduledFor,
                .startedAt, .finishedAt, .deliveries, .maxDeliveries, .worker, .createdBy, .timeout, .environment, .flowID,
            ].map(\.rawValue))
    }

    /// Reads a job from its hash fields; `nil` when a required field is missing or malformed.
    public init?(fields: [String: String]) {
        guard let idText = fields[Field.id.rawValue], let id = JobID(idText),
            let kind = fields[Field.kind.rawValue].flatMap(JobKind.init(rawValue:)),
            let state = fields[Field.state.rawValue].flatMap(JobState.init(rawValue:)),
            let queue = fields[Field.queue.rawValue]
        else { return nil }
        self.id = id
        self.kind = kind
        self.state = state
        self.queue = queue
        path = fields[Field.path.rawValue]
        scriptHash = fields[Field.scriptHash.rawValue]
        language = fields[Field.language.rawValue].flatMap(ScriptLanguage.init(rawValue:))
        arguments = fields[Field.arguments.rawValue].flatMap { try? JSONValue(parsing: $0) } ?? .emptyObject
        result = fields[Field.result.rawValue].flatMap { try? JSONValue(parsing: $0) }
        error = fields[Field.error.rawValue]
        createdAt = fields[Field.createdAt.rawValue].flatMap { Int64($0) } ?? 0
        scheduledFor = fields[Field.scheduledFor.rawValue].flatMap { Int64($0) }
        startedAt = fields[Field.startedAt.rawValue].flatMap { Int64($0) }
        finishedAt = fields[Field.finishedAt.rawValue].flatMap { Int64($0) }
        deliveries = fields[Field.deliveries.rawValue].flatMap { Int($0) } ?? 0
        maxDeliveries = fields[Field.maxDeliveries.rawValue].flatMap { Int($0) } ?? JobDefaults.maxDeliveries
        worker = fields[Field.worker.rawValue]
        createdBy = fields[Field.createdBy.rawValue]
        timeoutSeconds = fields[Field.timeout.rawValue].flatMap { Int($0) }
        var environment: [String: String] = [:]
        if let text = fields[Field.environment.rawValue], case .object(let members)? = try? JSONValue(parsing: text) {
            for (key, value) in members {
                if case .string(let string) = value { environment[key] = string }
            }
        }
        self.environment = environment
        flowID = fields[Field.flowID.rawValue].flatMap(JobID.init)
        extra = fields.filter { !Field.typed.contains($0.key) }
    }
}

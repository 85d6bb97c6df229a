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

    /// The hash field names, as stored.
    public enum Field {
        public static let id = "id"
        public static let kind = "kind"
        public static let state = "state"
        public static let queue = "queue"
        public static let path = "path"
        public static let scriptHash = "script_hash"
        public static let language = "language"
        public static let arguments = "args"
        public static let result = "result"
        public static let error = "error"
        public static let createdAt = "created_at"
        public static let scheduledFor = "scheduled_for"
        public static let startedAt = "started_at"
        public static let finishedAt = "finished_at"
        public static let deliveries = "deliveries"
        public static let maxDeliveries = "max_deliveries"
        public static let worker = "worker"
        public static let createdBy = "created_by"
        public static let timeout = "timeout"
        public static let environment = "env"
        public static let flowID = "flow_id"

        static let known: Set<String> = [
            id, kind, state, queue, path, scriptHash, language, arguments, result, error, createdAt, scheduledFor,
            startedAt, finishedAt, deliveries, maxDeliveries, worker, createdBy, timeout, environment, flowID,
        ]
    }

    /// Reads a job from its hash fields; `nil` when a required field is missing or malformed.
    public init?(fields: [String: String]) {
        guard let idText = fields[Field.id], let id = JobID(idText),
            let kind = fields[Field.kind].flatMap(JobKind.init(rawValue:)),
            let state = fields[Field.state].flatMap(JobState.init(rawValue:)),
            let queue = fields[Field.queue]
        else { return nil }
        self.id = id
        self.kind = kind
        self.state = state
        self.queue = queue
        path = fields[Field.path]
        scriptHash = fields[Field.scriptHash]
        language = fields[Field.language].flatMap(ScriptLanguage.init(rawValue:))
        arguments = fields[Field.arguments].flatMap { try? JSONValue(parsing: $0) } ?? .emptyObject
        result = fields[Field.result].flatMap { try? JSONValue(parsing: $0) }
        error = fields[Field.error]
        createdAt = fields[Field.createdAt].flatMap { Int64($0) } ?? 0
        scheduledFor = fields[Field.scheduledFor].flatMap { Int64($0) }
        startedAt = fields[Field.startedAt].flatMap { Int64($0) }
        finishedAt = fields[Field.finishedAt].flatMap { Int64($0) }
        deliveries = fields[Field.deliveries].flatMap { Int($0) } ?? 0
        maxDeliveries = fields[Field.maxDeliveries].flatMap { Int($0) } ?? JobDefaults.maxDeliveries
        worker = fields[Field.worker]
        createdBy = fields[Field.createdBy]
        timeoutSeconds = fields[Field.timeout].flatMap { Int($0) }
        var environment: [String: String] = [:]
        if let text = fields[Field.environment], case .object(let members)? = try? JSONValue(parsing: text) {
            for (key, value) in members {
                if case .string(let string) = value { environment[key] = string }
            }
        }
        self.environment = environment
        flowID = fields[Field.flowID].flatMap(JobID.init)
        extra = fields.filter { !Field.known.contains($0.key) }
    }
}

public import SluiceCore

/// Everything needed to create a job.
public struct EnqueueRequest: Sendable, Equatable {
    public var id: JobID
    public var kind: JobKind
    public var queue: String
    public var arguments: JSONValue
    /// The script or flow path, for display and `sluice job show`.
    public var path: String?
    public var scriptHash: String?
    public var language: ScriptLanguage?
    /// When to run, in milliseconds since the epoch; `nil` runs now.
    public var runAt: Int64?
    public var createdBy: String?
    public var timeoutSeconds: Int?
    public var maxDeliveries: Int
    public var environment: [String: String]
    /// Above 0: taken before the jobs of its queue that wait without priority.
    public var priority: Int
    /// Further hash fields a higher layer keeps with the job (flow state, step position).
    public var extraFields: [(String, String)]
    /// The trigger delivery that starts the job: a repeat within its window starts nothing.
    public var delivery: Delivery?

    public init(
        id: JobID,
        kind: JobKind,
        queue: String = JobDefaults.queue,
        arguments: JSONValue = .emptyObject,
        path: String? = nil,
        scriptHash: String? = nil,
        language: ScriptLanguage? = nil,
        runAt: Int64? = nil,
        createdBy: String? = nil,
        timeoutSeconds: Int? = nil,
        maxDeliveries: Int = JobDefaults.maxDeliveries,
        environment: [String: String] = [:],
        priority: Int = 0,
        extraFields: [(String, String)] = []
    ) {
        self.id = id
        self.kind = kind
        self.queue = queue
        self.arguments = arguments
        self.path = path
        self.scriptHash = scriptHash
        self.language = language
        self.runAt = runAt
        self.createdBy = createdBy
        self.timeoutSeconds = timeoutSeconds
        self.maxDeliveries = maxDeliveries
        self.environment = environment
        self.priority = priority
        self.extraFields = extraFields
    }

    /// The hash fields this request writes (besides id, queue, state and timestamps).
    var hashFields: [String] {
        typealias Field = JobRecord.Field
        var fields = [
            Field.kind.rawValue, kind.rawValue, Field.arguments.rawValue, arguments.jsonText, Field.maxDeliveries.rawValue, String(maxDeliveries),
        ]
        if let path { fields += [Field.path.rawValue, path] }
        if let scriptHash { fields += [Field.scriptHash.rawValue, scriptHash] }
        if let language { fields += [Field.language.rawValue, language.rawValue] }
        if let createdBy { fields += [Field.createdBy.rawValue, createdBy] }
        if let timeoutSeconds { fields += [Field.timeout.rawValue, String(timeoutSeconds)] }
        if !environment.isEmpty { fields += [Field.environment.rawValue, JSONValue(strings: environment).jsonText] }
        if priority != 0 { fields += [Field.priority.rawValue, String(priority)] }
        for (name, value) in extraFields { fields += [name, value] }
        return fields
    }

    public static func == (lhs: EnqueueRequest, rhs: EnqueueRequest) -> Bool {
        lhs.id == rhs.id && lhs.hashFields == rhs.hashFields && lhs.queue == rhs.queue && lhs.runAt == rhs.runAt
    }
}

/// A trigger's delivery, as far as starting a run goes: its idempotency key, hashed (with what it
/// targets: two routes' `X-GitHub-Delivery: 1` are different deliveries), and how long a repeat is
/// answered with the first run instead of starting another.
public struct Delivery: Sendable, Equatable {
    /// Hex SHA-256 of the scope and the key.
    public var hashedKey: String
    public var windowMilliseconds: Int

    /// `key` as the sender gave it, within `scope` (a route, or a webhook's target path).
    public init(scope: String, key: String, windowMilliseconds: Int) {
        hashedKey = ContentHash.of(scope + "\n" + key)
        self.windowMilliseconds = windowMilliseconds
    }

    var json: JSONValue { ["key": .string(hashedKey), "ttl": .number(Double(windowMilliseconds))] }
}

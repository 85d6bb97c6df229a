public import SluiceCore

/// What a schedule runs and when, as `sluice schedule set` writes it: already validated (the cron
/// expression parses, the zone exists, the path holds a script or a flow). Stored as fields of
/// `P:schedule:<name>` (docs/redis-keys.md).
public struct ScheduleDefinition: Sendable, Equatable {
    public var name: String
    /// The script or flow it runs.
    public var path: String
    /// The cron expression as written (SluiceCron' syntax).
    public var cron: String
    /// A tz database zone, e.g. `Europe/Berlin`.
    public var timeZone: String
    /// The arguments of every run (a flow's input).
    public var arguments: JSONValue
    public var queue: String
    /// Who its runs are started by (`created_by`).
    public var createdBy: String?
    /// A paused schedule fires nothing.
    public var enabled: Bool
    /// Skip a tick while the previous run has not finished (recorded as skipped).
    public var noOverlap: Bool
    /// A script or flow run with the error when a run fails for good.
    public var onFailure: String?
    /// The retry policy as written (Windmill's `{constant: …, exponential: …}`), for display.
    public var retry: JSONValue?
    /// Milliseconds to wait before each retry of a failed script run, from ``retry``.
    public var retryDelays: [Int64]

    public init(
        name: String, path: String, cron: String, timeZone: String = "UTC", arguments: JSONValue = .emptyObject, queue: String = "default",
        createdBy: String? = nil, enabled: Bool = true, noOverlap: Bool = false, onFailure: String? = nil, retry: JSONValue? = nil,
        retryDelays: [Int64] = []
    ) {
        self.name = name
        self.path = path
        self.cron = cron
        self.timeZone = timeZone
        self.arguments = arguments
        self.queue = queue
        self.createdBy = createdBy
        self.enabled = enabled
        self.noOverlap = noOverlap
        self.onFailure = onFailure
        self.retry = retry
        self.retryDelays = retryDelays
    }

    /// The hash field names of a schedule, as stored.
    public enum Field {
        public static let name = "name"
        public static let path = "path"
        public static let cron = "cron"
        public static let timeZone = "timezone"
        public static let arguments = "args"
        public static let queue = "queue"
        public static let createdBy = "created_by"
        public static let enabled = "enabled"
        public static let noOverlap = "no_overlap"
        public static let onFailure = "on_failure"
        public static let retry = "retry"
        public static let retryDelays = "retry_delays"
    }

    /// The definition's fields (besides name and enabled, which set_schedule takes apart).
    var hashFields: [String] {
        var fields = [Field.path, path, Field.cron, cron, Field.timeZone, timeZone, Field.arguments, arguments.jsonText, Field.queue, queue]
        if let createdBy { fields += [Field.createdBy, createdBy] }
        if noOverlap { fields += [Field.noOverlap, "1"] }
        if let onFailure { fields += [Field.onFailure, onFailure] }
        if let retry { fields += [Field.retry, retry.jsonText] }
        if !retryDelays.isEmpty { fields += [Field.retryDelays, JSONValue.array(retryDelays.map { .number(Double($0)) }).jsonText] }
        return fields
    }

    /// Reads a definition from a schedule's hash; `nil` when a required field is missing.
    init?(fields: [String: String]) {
        guard let name = fields[Field.name], let path = fields[Field.path], let cron = fields[Field.cron] else { return nil }
        self.init(
            name: name, path: path, cron: cron, timeZone: fields[Field.timeZone] ?? "UTC",
            arguments: fields[Field.arguments].flatMap { try? JSONValue(parsing: $0) } ?? .emptyObject,
            queue: fields[Field.queue] ?? "default", createdBy: fields[Field.createdBy], enabled: fields[Field.enabled] == "1",
            noOverlap: fields[Field.noOverlap] == "1", onFailure: fields[Field.onFailure],
            retry: fields[Field.retry].flatMap { try? JSONValue(parsing: $0) },
            retryDelays: fields[Field.retryDelays].flatMap { try? JSONValue(parsing: $0) }?.arrayValue?.compactMap { $0.intValue.map(Int64.init) }
                ?? [])
    }
}

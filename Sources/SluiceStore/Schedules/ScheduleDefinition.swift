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
        name: String, path: String, cron: String, timeZone: String = "UTC", arguments: JSONValue = .emptyObject, queue: String = JobDefaults.queue,
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

    /// The schedule hash's field names (the definition's and where the schedule stands).
    public typealias Field = ScheduleRecord.Field

    /// The definition's fields (besides name and enabled, which set_schedule takes apart).
    var hashFields: [String] {
        var fields = [
            Field.path.rawValue, path, Field.cron.rawValue, cron, Field.timeZone.rawValue, timeZone, Field.arguments.rawValue, arguments.jsonText,
            Field.queue.rawValue, queue,
        ]
        if let createdBy { fields += [Field.createdBy.rawValue, createdBy] }
        if noOverlap { fields += [Field.noOverlap.rawValue, "1"] }
        if let onFailure { fields += [Field.onFailure.rawValue, onFailure] }
        if let retry { fields += [Field.retry.rawValue, retry.jsonText] }
        if !retryDelays.isEmpty { fields += [Field.retryDelays.rawValue, JSONValue.array(retryDelays.map { .number(Double($0)) }).jsonText] }
        return fields
    }

    /// Reads a definition from a schedule's hash; `nil` when a required field is missing.
    init?(fields: [String: String]) {
        guard let name = fields[Field.name.rawValue], let path = fields[Field.path.rawValue], let cron = fields[Field.cron.rawValue] else {
            return nil
        }
        self.init(
            name: name, path: path, cron: cron, timeZone: fields[Field.timeZone.rawValue] ?? "UTC",
            arguments: fields[Field.arguments.rawValue].flatMap { try? JSONValue(parsing: $0) } ?? .emptyObject,
            queue: fields[Field.queue.rawValue] ?? JobDefaults.queue, createdBy: fields[Field.createdBy.rawValue],
            enabled: fields[Field.enabled.rawValue] == "1",
            noOverlap: fields[Field.noOverlap.rawValue] == "1", onFailure: fields[Field.onFailure.rawValue],
            retry: fields[Field.retry.rawValue].flatMap { try? JSONValue(parsing: $0) },
            retryDelays: fields[Field.retryDelays.rawValue].flatMap { try? JSONValue(parsing: $0) }?.arrayValue?.compactMap {
                $0.intValue.map(Int64.init)
            }
                ?? [])
    }
}

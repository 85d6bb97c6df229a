public import SluiceCore
public import SluiceCron
import SluiceFlows
import SluiceRedis
public import SluiceStore

/// Turns `sluice schedule set` options into a checked ``ScheduleDefinition``: the name, the cron
/// expression and zone (SluiceCron' errors, naming the column), the JSON arguments, the queue
/// and the retry policy. What needs Redis (does the path hold a script or a flow?) is the
/// command's to check.
public enum ScheduleInput {
    /// The options as given on the command line.
    public struct Options: Sendable {
        public var name: String
        public var path: String
        public var cron: String
        public var timeZone: String
        public var argumentsJSON: String?
        public var argumentPairs: [String]
        public var queue: String
        public var createdBy: String?
        public var enabled: Bool
        public var noOverlap: Bool
        public var onFailure: String?
        public var retryJSON: String?

        public init(
            name: String, path: String, cron: String, timeZone: String = "UTC", argumentsJSON: String? = nil, argumentPairs: [String] = [],
            queue: String = "default", createdBy: String? = nil, enabled: Bool = true, noOverlap: Bool = false, onFailure: String? = nil,
            retryJSON: String? = nil
        ) {
            self.name = name
            self.path = path
            self.cron = cron
            self.timeZone = timeZone
            self.argumentsJSON = argumentsJSON
            self.argumentPairs = argumentPairs
            self.queue = queue
            self.createdBy = createdBy
            self.enabled = enabled
            self.noOverlap = noOverlap
            self.onFailure = onFailure
            self.retryJSON = retryJSON
        }
    }

    /// The definition and its parsed cron schedule, or a one-line error saying what is wrong.
    public static func definition(_ options: Options) throws(CommandFailure) -> (ScheduleDefinition, CronSchedule) {
        guard ScheduleName.isValid(options.name) else {
            throw CommandFailure("invalid schedule name '\(options.name)' (letters, digits, _ - . in segments separated by /)")
        }
        guard ScriptPath(options.path) != nil else { throw CommandFailure("invalid path '\(options.path)' (expected segments like f/ops/report)") }
        if let onFailure = options.onFailure, ScriptPath(onFailure) == nil {
            throw CommandFailure("invalid --on-failure path '\(onFailure)' (expected segments like f/ops/alert)")
        }
        guard QueueName.isValid(options.queue) else { throw CommandFailure("invalid queue name '\(options.queue)'") }
        let schedule = try cronSchedule(options.cron, timeZone: options.timeZone)
        let arguments = try ArgumentsInput.build(json: options.argumentsJSON, pairs: options.argumentPairs)
        var definition = ScheduleDefinition(
            name: options.name, path: options.path, cron: options.cron, timeZone: options.timeZone, arguments: arguments, queue: options.queue,
            createdBy: options.createdBy, enabled: options.enabled, noOverlap: options.noOverlap, onFailure: options.onFailure)
        if let retryJSON = options.retryJSON {
            (definition.retry, definition.retryDelays) = try retry(retryJSON)
        }
        return (definition, schedule)
    }

    /// Parses the cron expression in the zone.
    public static func cronSchedule(_ cron: String, timeZone: String) throws(CommandFailure) -> CronSchedule {
        do {
            return try CronSchedule(cron: cron, timeZone: timeZone)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// The next tick after `now` (ms), or an error for an expression that never fires.
    public static func nextDue(_ schedule: CronSchedule, after now: Int64) throws(CommandFailure) -> Int64 {
        guard let next = schedule.nextFire(afterMilliseconds: now) else {
            throw CommandFailure("the cron expression '\(schedule.expression)' never fires (no such date within eight years)")
        }
        return next
    }

    /// A retry policy written as a flow module's `retry` (`{"constant": {"attempts": 3,
    /// "seconds": 10}}`, `{"exponential": {"attempts": 4, "multiplier": 2, "seconds": 3}}`, or
    /// both: constant attempts first), and the wait before each retry in ms (jitter drawn once).
    public static func retry(_ text: String) throws(CommandFailure) -> (JSONValue, [Int64]) {
        let node: JSONValue
        do {
            node = try JSONValue(parsing: text)
        } catch {
            throw CommandFailure("--retry is not valid JSON: \(error)")
        }
        let parsed: (policy: RetryPolicy, warnings: [String])
        do {
            parsed = try FlowParser().retryPolicy(node)
        } catch {
            throw CommandFailure("--retry: \(error)")
        }
        if let warning = parsed.warnings.first { throw CommandFailure("--retry: \(warning)") }
        guard parsed.policy.retryIf == nil else { throw CommandFailure("--retry: retry_if is for flow modules; a schedule retries every failure") }
        guard parsed.policy.maximumRetries > 0 else { throw CommandFailure("--retry: no attempts (give constant or exponential attempts above 0)") }
        let delays = (1...parsed.policy.maximumRetries).compactMap { retry in
            parsed.policy.delay(beforeRetry: retry, unitRandom: Double.random(in: 0..<1)).map { Int64($0.wholeMilliseconds) }
        }
        return (node, delays)
    }
}

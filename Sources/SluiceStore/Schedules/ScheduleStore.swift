import SluiceCore
public import SluiceRedis

/// Schedules in Redis: definitions (`P:schedule:<name>`), the due set (`P:schedules:due`), each
/// schedule's recent runs, and the finished runs waiting to be settled. Every change is one Lua
/// script (set_schedule, set_schedule_enabled, delete_schedule, fire_schedule_tick,
/// settle_schedule_run); reads are plain commands. Cron and time zones are not the store's
/// business: callers compute due times (SluiceCron) and pass them in milliseconds.
///
/// Every method blocks on the given connection: call it from a Redis client's own thread.
public struct ScheduleStore: Sendable {
    public let keys: KeySpace
    public let settings: StoreSettings
    /// How many recent runs each schedule keeps.
    public static let runsKept = 50

    public init(keys: KeySpace = KeySpace(), settings: StoreSettings = StoreSettings()) {
        self.keys = keys
        self.settings = settings
    }

    /// Creates or replaces a schedule. `nextDue` is its next tick (ms) after now on Redis's clock,
    /// computed from the new definition. Returns whether it was created, and its new version.
    @discardableResult
    public func set(_ definition: ScheduleDefinition, nextDue: Int64?, on connection: RedisConnection) throws(RedisError) -> (
        created: Bool, version: Int
    ) {
        let reply = try connection.evaluate(
            StoreScripts.setSchedule, in: keys,
            keys: [.string(keys.schedule(definition.name)), .string(keys.schedules), .string(keys.schedulesDue), .string(keys.schedulerWake)],
            arguments: [.string(definition.name), .int(nextDue ?? -1), definition.enabled ? "1" : "0"] + definition.hashFields.map { .string($0) }
        )
        guard let parts = reply.array, parts.count == 2, let created = parts[0].integer, let version = parts[1].integer else {
            throw RedisError.unexpectedReply("set_schedule: \(reply)")
        }
        return (created == 1, Int(version))
    }

    /// What pausing or resuming did.
    public enum EnabledChange: String, Sendable {
        case paused, resumed, unchanged
        /// The schedule changed since `expectedVersion` was read: read it again.
        case stale
    }

    /// Pauses or resumes `name` at the version the caller read; `nextDue` (resume) is the next
    /// tick after now computed from that version. `nil` for an unknown schedule.
    public func setEnabled(_ name: String, enabled: Bool, expectedVersion: Int, nextDue: Int64?, on connection: RedisConnection)
        throws(RedisError) -> EnabledChange?
    {
        let reply = try connection.evaluate(
            StoreScripts.setScheduleEnabled, in: keys,
            keys: [.string(keys.schedule(name)), .string(keys.schedulesDue), .string(keys.schedulerWake)],
            arguments: [.string(name), enabled ? "1" : "0", .int(expectedVersion), .int(nextDue ?? -1)]
        )
        return reply.string.flatMap(EnabledChange.init(rawValue:))
    }

    /// Deletes a schedule with its runs. Returns false for an unknown schedule.
    @discardableResult
    public func delete(_ name: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        let reply = try connection.evaluate(
            StoreScripts.deleteSchedule, in: keys,
            keys: [.string(keys.schedule(name)), .string(keys.scheduleRuns(name)), .string(keys.schedules), .string(keys.schedulesDue)],
            arguments: [.string(name)]
        )
        return reply.integer == 1
    }

    /// A schedule, or `nil` when there is none by that name.
    public func schedule(_ name: String, on connection: RedisConnection) throws(RedisError) -> ScheduleRecord? {
        try connection.send(["HGETALL", .string(keys.schedule(name))]).fieldDictionary.flatMap(ScheduleRecord.init(fields:))
    }

    /// Several schedules in one round trip, in the order asked (`nil` where there is none).
    public func schedules(_ names: [String], on connection: RedisConnection) throws(RedisError) -> [ScheduleRecord?] {
        guard !names.isEmpty else { return [] }
        return try connection.pipeline(names.map { ["HGETALL", .string(keys.schedule($0))] }).map { reply in
            reply.fieldDictionary.flatMap(ScheduleRecord.init(fields:))
        }
    }

    /// Every schedule, by name.
    public func list(on connection: RedisConnection) throws(RedisError) -> [ScheduleRecord] {
        let names = (try connection.send(["SMEMBERS", .string(keys.schedules)]).array ?? []).compactMap(\.string).sorted()
        return try schedules(names, on: connection).compactMap { $0 }
    }

    /// The most recent runs of a schedule, newest first.
    public func runs(of name: String, limit: Int = ScheduleStore.runsKept, on connection: RedisConnection) throws(RedisError) -> [ScheduleRun] {
        let reply = try connection.send(["LRANGE", .string(keys.scheduleRuns(name)), "0", .int(max(1, limit) - 1)])
        return (reply.array ?? []).compactMap { $0.string.flatMap { try? JSONValue(parsing: $0) }.flatMap(ScheduleRun.init(json:)) }
    }

    /// How many schedules there are, how many wait for a tick, and which is due first.
    public func summary(on connection: RedisConnection) throws(RedisError) -> ScheduleSummary {
        let replies = try connection.pipeline([
            ["SCARD", .string(keys.schedules)], ["ZCARD", .string(keys.schedulesDue)],
            ["ZRANGE", .string(keys.schedulesDue), "0", "0", "WITHSCORES"],
        ])
        let first = replies[2].array ?? []
        var next: (name: String, due: Int64)?
        if first.count == 2, let name = first[0].string, let score = first[1].string.flatMap(Double.init) { next = (name, Int64(score)) }
        return ScheduleSummary(
            count: Int(replies[0].integer ?? 0), waiting: Int(replies[1].integer ?? 0), nextName: next?.name, nextDue: next?.due)
    }
}

/// Schedules at a glance, for `sluice queues`.
public struct ScheduleSummary: Sendable, Equatable {
    /// All schedules.
    public var count: Int
    /// Enabled schedules with a next tick (in the due set).
    public var waiting: Int
    /// The schedule due first, and when (ms).
    public var nextName: String?
    public var nextDue: Int64?
}

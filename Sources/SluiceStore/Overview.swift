import SluiceCore
public import SluiceRedis

/// Everything `sluice top` shows, read in a few pipelined round trips: the queues (with the age of
/// their oldest waiting job), the open gates and their nearest deadline, and the live workers
/// with the jobs they hold. Read-only.
public struct Overview: Sendable, Equatable {
    /// Redis's clock when the snapshot was read (ms).
    public var now: Int64
    public var queues: [QueueStatistics]
    public var openGates: Int
    /// The nearest deadline of an open gate (ms).
    public var nearestDeadline: Int64?
    public var workers: [LiveWorker]
    /// Schedules at a glance: how many, and which fires next.
    public var schedules: ScheduleSummary

    /// A worker seen by its heartbeat, with the number of jobs it holds under a lease.
    public struct LiveWorker: Sendable, Equatable {
        public var status: WorkerStatus
        public var running: Int
        public var queues: [String] { status.info["queues"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        public var concurrency: Int? { status.info["concurrency"]?.intValue }
    }
}

extension StatisticsReader {
    /// A snapshot for `sluice top`.
    public func overview(on connection: RedisConnection) throws(RedisError) -> Overview {
        var queues = try queues(on: connection)
        let now = try connection.serverMilliseconds()
        // The job each queue hands out next is the one waiting longest (the list's right end).
        let heads = try connection.pipeline(queues.map { ["LINDEX", .string(keys.queue($0.queue)), "-1"] })
        let times = try connection.pipeline(
            heads.map { head in
                head.string.map {
                    ["HMGET", .string(keys.namespace + KeySpace.Segment.job + $0)]
                        + [JobRecord.Field.scheduledFor, .createdAt].map { .string($0.rawValue) }
                } ?? ["PING"]
            })
        for index in queues.indices where heads[index].string != nil {
            let fields = times[index].array?.map { $0.string.flatMap { Int64($0) } } ?? []
            queues[index].oldestPendingSince = fields.compactMap { $0 }.first
        }
        let gateCount = try connection.send(["ZCARD", .string(keys.gateDeadlines)]).integer ?? 0
        let nearest = try connection.send(["ZRANGE", .string(keys.gateDeadlines), "0", "0", "WITHSCORES"]).array
        let deadline = nearest.flatMap { $0.count == 2 ? $0[1].string.flatMap { Double($0) }.map { Int64($0) } : nil }
        let statuses = try workers(on: connection)
        let leased = (try connection.send(["ZRANGE", .string(keys.leases), "0", "-1"]).array ?? []).compactMap(\.string)
        let holders = try connection.pipeline(
            leased.map { ["HGET", .string(keys.namespace + KeySpace.Segment.job + $0), .string(JobRecord.Field.worker.rawValue)] })
        var held: [String: Int] = [:]
        for holder in holders { if let worker = holder.string { held[worker, default: 0] += 1 } }
        return Overview(
            now: now, queues: queues, openGates: Int(gateCount), nearestDeadline: deadline,
            workers: statuses.map { Overview.LiveWorker(status: $0, running: held[$0.id] ?? 0) },
            schedules: try ScheduleStore(keys: keys).summary(on: connection))
    }
}

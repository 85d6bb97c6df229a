public import SluiceCore
public import SluiceRedis

/// A snapshot of one queue, for `sluice queues` and dashboards.
public struct QueueStatistics: Sendable, Equatable {
    public var queue: String
    /// Jobs waiting in the queue's list.
    public var pending: Int
    /// Jobs taken by workers (leased).
    public var running: Int
    /// Jobs waiting in the delayed set for their run-at time.
    public var delayed: Int
    public var succeeded: Int
    public var failed: Int
    public var canceled: Int
    /// Jobs finished (any state) in the last minute and the last five minutes.
    public var finishedLastMinute: Int
    public var finishedLastFiveMinutes: Int
    /// Jobs finished in each of the last five minute buckets, the current (partial) minute first.
    public var finishedPerMinute: [Int] = []
    /// When the oldest job waiting in the list became ready (ms, Redis clock), if any waits.
    public var oldestPendingSince: Int64?

    /// Jobs per second over the last minute: the current minute's bucket and the one before,
    /// over the time they cover (`millisecondsIntoMinute` of the current one).
    public func jobsPerSecond(millisecondsIntoMinute: Int64) -> Double {
        let counted = (finishedPerMinute.first ?? 0) + (finishedPerMinute.count > 1 ? finishedPerMinute[1] : 0)
        return Double(counted) / (Double(60_000 + millisecondsIntoMinute) / 1000)
    }
}

/// A live worker, from its heartbeat.
public struct WorkerStatus: Sendable, Equatable {
    public var id: String
    public var lastSeen: Int64
    public var info: JSONValue

    /// The fields of a worker's hash (`P:worker:<id>`), written by `renew_leases` (the Lua prelude
    /// carries them as `WORKER.<stored name>`).
    public enum Field: String, CaseIterable, Sendable {
        /// JSON: host, pid, queues, concurrency, started_at.
        case info
        /// The last heartbeat (ms, Redis's clock).
        case seenAt = "seen_at"
    }
}

/// Reads queue and worker statistics. Read-only; costs a few pipelined round trips.
public struct StatisticsReader: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace) {
        self.keys = keys
    }

    /// Every known queue's statistics, sorted by name.
    public func queues(on connection: RedisConnection) throws(RedisError) -> [QueueStatistics] {
        let names = (try connection.send(["SMEMBERS", .string(keys.queues)]).array ?? []).compactMap(\.string).sorted()
        let now = try connection.serverMilliseconds()
        let minute = now / 60_000
        // Running and delayed jobs are counted per queue from the leases and delayed sets (bounded
        // by the fleet's concurrency and by the scan limit, respectively).
        let leased = (try connection.send(["ZRANGE", .string(keys.leases), "0", "-1"]).array ?? []).compactMap(\.string)
        let delayedIDs = (try connection.send(["ZRANGE", .string(keys.delayed), "0", "9999"]).array ?? []).compactMap(\.string)
        let owners = try connection.pipeline(
            (leased + delayedIDs).map { ["HGET", .string(keys.namespace + KeySpace.Segment.job + $0), .string(JobRecord.Field.queue.rawValue)] })
        var running: [String: Int] = [:]
        var delayed: [String: Int] = [:]
        for (index, reply) in owners.enumerated() {
            guard let queue = reply.string else { continue }
            if index < leased.count { running[queue, default: 0] += 1 } else { delayed[queue, default: 0] += 1 }
        }
        var commands: [[RedisArgument]] = []
        for name in names {
            commands.append(["LLEN", .string(keys.queue(name))])
            commands.append(["HMGET", .string(keys.stats(name)), "success", "failure", "canceled"])
            for offset in 0..<5 {
                commands.append(["HVALS", .string(keys.throughput(name, minute: minute - Int64(offset)))])
            }
        }
        let replies = try connection.pipeline(commands)
        var statistics: [QueueStatistics] = []
        for (position, name) in names.enumerated() {
            let base = position * 7
            let counters = replies[base + 1].array?.map { Int($0.string ?? "0") ?? 0 } ?? [0, 0, 0]
            let perMinute = (0..<5).map { offset in
                (replies[base + 2 + offset].array ?? []).compactMap { $0.string.flatMap { Int($0) } }.reduce(0, +)
            }
            statistics.append(
                QueueStatistics(
                    queue: name,
                    pending: Int(replies[base].integer ?? 0),
                    running: running[name] ?? 0,
                    delayed: delayed[name] ?? 0,
                    succeeded: counters.count > 0 ? counters[0] : 0,
                    failed: counters.count > 1 ? counters[1] : 0,
                    canceled: counters.count > 2 ? counters[2] : 0,
                    finishedLastMinute: perMinute[0],
                    finishedLastFiveMinutes: perMinute.reduce(0, +),
                    finishedPerMinute: perMinute
                )
            )
        }
        return statistics
    }

    /// Workers that sent a heartbeat recently, most recent first.
    public func workers(on connection: RedisConnection) throws(RedisError) -> [WorkerStatus] {
        let reply = try connection.send(["ZREVRANGE", .string(keys.workers), "0", "-1", "WITHSCORES"])
        let elements = reply.array ?? []
        var workers: [WorkerStatus] = []
        var index = 0
        while index + 1 < elements.count {
            if let id = elements[index].string, let seen = elements[index + 1].string.flatMap(Double.init) {
                let info = try connection.send(["HGET", .string(keys.worker(id)), .string(WorkerStatus.Field.info.rawValue)]).string.flatMap {
                    try? JSONValue(parsing: $0)
                }
                if let info { workers.append(WorkerStatus(id: id, lastSeen: Int64(seen), info: info)) }
            }
            index += 2
        }
        return workers
    }

}

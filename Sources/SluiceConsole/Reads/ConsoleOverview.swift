public import SluiceCore
public import SluiceRedis
public import SluiceStore

/// What the overview page shows, read in a few pipelined round trips: `sluice top`'s snapshot
/// (queues, workers, schedules), the jobs each worker holds, the open gates, the schedules'
/// next ticks and the per-minute throughput. Read-only.
public struct ConsoleOverview: Sendable {
    public var snapshot: Overview
    /// Per worker id, the jobs it holds under a lease (id and path).
    public var held: [String: [(id: JobID, path: String)]]
    /// Open gates, nearest deadline first (at most ``gateLimit``).
    public var gates: [GateRecord]
    /// Enabled schedules with their next tick, soonest first (at most ``scheduleLimit``).
    public var schedules: [(name: String, path: String, nextDue: Int64)]
    /// Per minute over the last ``minutes`` minutes (oldest first), summed over queues.
    public var throughput: [ThroughputMinute]

    public static let minutes = 120
    public static let gateLimit = 20
    public static let scheduleLimit = 10

    /// Succeeded and failed (failed and canceled) jobs in one minute.
    public struct ThroughputMinute: Sendable, Equatable {
        public var minute: Int64
        public var succeeded: Int
        public var failed: Int
    }

    /// Reads it.
    public static func read(keys: KeySpace, on connection: RedisConnection) throws(RedisError) -> ConsoleOverview {
        let snapshot = try StatisticsReader(keys: keys).overview(on: connection)
        let leased = (try connection.send(["ZRANGE", .string(keys.leases), "0", "999"]).array ?? []).compactMap(\.string)
        let holders = try connection.pipeline(
            leased.map {
                ["HMGET", .string(keys.namespace + KeySpace.Segment.job + $0)] + [JobRecord.Field.worker, .path, .kind].map { .string($0.rawValue) }
            })
        var held: [String: [(id: JobID, path: String)]] = [:]
        for (id, reply) in zip(leased, holders) {
            let values = (reply.array ?? []).map(\.string)
            guard values.count == 3, let worker = values[0], let jobID = JobID(id) else { continue }
            held[worker, default: []].append((jobID, values[1] ?? values[2] ?? "job"))
        }
        let gateIDs = (try connection.send(["ZRANGE", .string(keys.gateDeadlines), "0", .string(String(gateLimit - 1))]).array ?? [])
            .compactMap { $0.string.flatMap(JobID.init) }
        let store = GateStore(keys: keys)
        var gates: [GateRecord] = []
        for id in gateIDs { if let gate = try store.gate(id, history: true, on: connection) { gates.append(gate) } }
        let due = (try connection.send(["ZRANGE", .string(keys.schedulesDue), "0", .string(String(scheduleLimit - 1)), "WITHSCORES"]).array ?? [])
        var names: [(String, Int64)] = []
        var index = 0
        while index + 1 < due.count {
            if let name = due[index].string, let score = due[index + 1].string.flatMap(Double.init) { names.append((name, Int64(score))) }
            index += 2
        }
        let records = try ScheduleStore(keys: keys).schedules(names.map(\.0), on: connection)
        let schedules = zip(names, records).map { entry, record in (name: entry.0, path: record?.definition.path ?? "", nextDue: entry.1) }
        let minute = snapshot.now / 60_000
        let queues = snapshot.queues.map(\.queue)
        var commands: [[RedisArgument]] = []
        for offset in 0..<Int64(minutes) {
            for queue in queues {
                commands.append([
                    "HMGET", .string(keys.throughput(queue, minute: minute - Int64(minutes) + 1 + offset)), "success", "failure", "canceled",
                ])
            }
        }
        let counts = try connection.pipeline(commands)
        var throughput: [ThroughputMinute] = []
        for offset in 0..<minutes {
            var row = ThroughputMinute(minute: minute - Int64(minutes) + 1 + Int64(offset), succeeded: 0, failed: 0)
            for position in queues.indices {
                let values = (counts[offset * queues.count + position].array ?? []).map { $0.string.flatMap { Int($0) } ?? 0 }
                guard values.count == 3 else { continue }
                row.succeeded += values[0]
                row.failed += values[1] + values[2]
            }
            throughput.append(row)
        }
        return ConsoleOverview(snapshot: snapshot, held: held, gates: gates, schedules: schedules, throughput: throughput)
    }
}

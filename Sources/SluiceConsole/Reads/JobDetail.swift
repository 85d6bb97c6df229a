public import SluiceCore
public import SluiceRedis
public import SluiceStore

/// What a job's page shows: the job, its logs, and for a flow its steps and gates. Read-only.
public struct JobDetail: Sendable {
    public var job: JobRecord
    public var logs: String?
    public var steps: [Step]
    public var gates: [GateRecord]

    /// One step job of a flow run, in creation order.
    public struct Step: Sendable, Equatable {
        public var id: JobID
        public var module: String
        public var type: String
        public var frame: String
        public var state: JobState
        public var startedAt: Int64?
        public var finishedAt: Int64?
    }

    /// The steps shown at most on a flow's page.
    public static let stepLimit = 1000

    /// Reads job `id`; `nil` when there is no such job (or it expired).
    public static func read(_ id: JobID, jobs: JobStore, on connection: RedisConnection) throws(RedisError) -> JobDetail? {
        guard let job = try jobs.job(id, on: connection) else { return nil }
        let logs = try jobs.logs(id, on: connection)
        var steps: [Step] = []
        var gates: [GateRecord] = []
        if job.kind == .flow {
            let ids = (try connection.send(["ZRANGE", .string(jobs.keys.flowSteps(id)), "0", .string(String(stepLimit - 1))]).array ?? [])
                .compactMap { $0.string.flatMap(JobID.init) }
            let replies = try connection.pipeline(
                ids.map { ["HMGET", .string(jobs.keys.job($0)), "module_id", "module_type", "frame", "state", "started_at", "finished_at"] })
            for (stepID, reply) in zip(ids, replies) {
                let values = (reply.array ?? []).map(\.string)
                guard values.count == 6, let state = values[3].flatMap(JobState.init(rawValue:)) else { continue }
                steps.append(
                    Step(
                        id: stepID, module: values[0] ?? "?", type: values[1] ?? "", frame: values[2] ?? "r", state: state,
                        startedAt: values[4].flatMap { Int64($0) }, finishedAt: values[5].flatMap { Int64($0) }))
            }
            gates = try GateStore(keys: jobs.keys).gates(ofFlow: id, on: connection)
        }
        return JobDetail(job: job, logs: logs, steps: steps, gates: gates)
    }
}

public import SluiceCore
public import SluiceFlows
public import SluiceRedis
public import SluiceStore

/// What a job's page shows: the job, its logs, and for a flow its steps and gates. Read-only.
public struct JobDetail: Sendable {
    public var job: JobRecord
    public var logs: String?
    public var steps: [Step]
    public var gates: [GateRecord]
    /// A flow run's definition (the version it runs), when it can be read.
    public var definition: FlowDefinition?
    /// Redis's clock when read (ms).
    public var now: Int64

    /// One step job of a flow run, in creation order.
    public struct Step: Sendable, Equatable {
        public var id: JobID
        public var module: String
        public var type: String
        public var frame: String
        /// Its module's index in its frame.
        public var cursor: Int
        public var state: JobState
        public var startedAt: Int64?
        public var finishedAt: Int64?
        /// The flow job a `flow` module's step started.
        public var subflow: JobID?
        /// The start of its result (JSON) or of its error, for the graph; `nil` when it has neither.
        public var outcome: String?
    }

    /// What the graph shows of a step's outcome: its result, else `error: …`, else nothing.
    static func preview(_ outcome: (result: String, error: String)) -> String? {
        if !outcome.result.isEmpty { return outcome.result }
        if !outcome.error.isEmpty { return "error: " + outcome.error }
        return nil
    }

    /// The steps shown at most on a flow's page.
    public static let stepLimit = 1000

    /// Reads job `id`; `nil` when there is no such job (or it expired).
    public static func read(_ id: JobID, jobs: JobStore, on connection: RedisConnection) throws(RedisError) -> JobDetail? {
        guard let job = try jobs.job(id, on: connection) else { return nil }
        let logs = try jobs.logs(id, on: connection)
        var steps: [Step] = []
        var gates: [GateRecord] = []
        var definition: FlowDefinition?
        let now = try connection.serverMilliseconds()
        if job.kind == .flow {
            if let hash = job.flowHash, let text = try FlowStore(keys: jobs.keys).document(hash: hash, on: connection) {
                definition = try? FlowParser().parse(text).definition
            }
            let ids = (try connection.send(["ZRANGE", .string(jobs.keys.flowSteps(id)), "0", .string(String(stepLimit - 1))]).array ?? [])
                .compactMap { $0.string.flatMap(JobID.init) }
            let replies = try connection.pipeline(
                ids.map {
                    ["HMGET", .string(jobs.keys.job($0))]
                        + [JobRecord.Field.moduleID, .moduleType, .frame, .state, .startedAt, .finishedAt, .cursor, .subflow].map {
                            .string($0.rawValue)
                        }
                })
            let previews = try jobs.outcomePreviews(ids, limit: 120, on: connection)
            for (index, (stepID, reply)) in zip(ids, replies).enumerated() {
                let values = (reply.array ?? []).map(\.string)
                guard values.count == 8, let state = values[3].flatMap(JobState.init(rawValue:)) else { continue }
                steps.append(
                    Step(
                        id: stepID, module: values[0] ?? "?", type: values[1] ?? "", frame: values[2] ?? "r",
                        cursor: values[6].flatMap { Int($0) } ?? 0,
                        state: state, startedAt: values[4].flatMap { Int64($0) }, finishedAt: values[5].flatMap { Int64($0) },
                        subflow: values[7].flatMap(JobID.init), outcome: Self.preview(previews.indices.contains(index) ? previews[index] : ("", ""))))
            }
            gates = try GateStore(keys: jobs.keys).gates(ofFlow: id, on: connection)
        }
        return JobDetail(job: job, logs: logs, steps: steps, gates: gates, definition: definition, now: now)
    }
}

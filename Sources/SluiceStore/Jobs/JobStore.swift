import Foundation
public import SluiceCore
public import SluiceRedis

/// Typed operations on jobs: each state change is one Lua script call (see `Scripts/`).
///
/// Every method runs on a caller-supplied ``RedisConnection`` and blocks; call them from a
/// dedicated thread (``RedisClient/run(_:)``), never from an event loop.
public struct JobStore: Sendable {
    public let keys: KeySpace
    public let settings: StoreSettings

    public init(keys: KeySpace = KeySpace(), settings: StoreSettings = StoreSettings()) {
        self.keys = keys
        self.settings = settings
    }

    /// Creates a job and queues it (or schedules it for `runAt`). Returns its first state.
    @discardableResult
    public func enqueue(_ request: EnqueueRequest, on connection: RedisConnection) throws(RedisError) -> JobState {
        switch try enqueueDelivered(request, on: connection) {
        case .started(let state): state
        case .duplicate: .queued
        }
    }

    /// What a delivery's enqueue did: started the job, or found the run an earlier delivery of
    /// the same key started.
    public enum DeliveryStart: Sendable, Equatable {
        case started(JobState)
        case duplicate(JobID)
    }

    /// Creates the job unless `request.delivery` started one within its window, in one step.
    public func enqueueDelivered(_ request: EnqueueRequest, on connection: RedisConnection) throws(RedisError) -> DeliveryStart {
        let reply = try connection.evaluate(StoreScripts.enqueueJob, in: keys, keys: enqueueKeys(request), arguments: enqueueArguments(request))
        if let text = reply.string, text.hasPrefix("duplicate "), let earlier = JobID(String(text.dropFirst("duplicate ".count))) {
            return .duplicate(earlier)
        }
        return .started(reply.string.flatMap(JobState.init(rawValue:)) ?? .queued)
    }

    /// Creates many jobs in one round trip (a pipeline of `enqueue_job` calls). Each job is still
    /// created atomically; the result says per job whether it was.
    public func enqueue(_ requests: [EnqueueRequest], on connection: RedisConnection) throws(RedisError) -> [Result<JobState, RedisError>] {
        // Make sure the script is loaded so the pipelined EVALSHAs cannot meet NOSCRIPT.
        _ = try connection.send(["SCRIPT", "LOAD", .string(StoreScripts.enqueueJob.source)])
        let commands: [[RedisArgument]] = requests.map { request in
            StoreScripts.enqueueJob.command(keys: enqueueKeys(request), arguments: enqueueArguments(request), in: keys)
        }
        return try connection.pipeline(commands).map { reply in
            if case .error(let message) = reply { return .failure(.server(message)) }
            return .success(reply.string.flatMap(JobState.init(rawValue:)) ?? .queued)
        }
    }

    private func enqueueKeys(_ request: EnqueueRequest) -> [RedisArgument] {
        [.string(keys.namespace), .string(keys.job(request.id))]
    }

    private func enqueueArguments(_ request: EnqueueRequest) -> [RedisArgument] {
        var arguments: [RedisArgument] = [
            .string(request.id.rawValue), .string(request.queue), .int(request.runAt ?? 0), .string(request.delivery?.hashedKey ?? ""),
            .int(request.delivery?.windowMilliseconds ?? 0),
        ]
        arguments.append(contentsOf: request.hashFields.map { RedisArgument.string($0) })
        return arguments
    }

    /// Takes the next job of `queues` (in priority order) for `worker`, or `nil` when all are empty.
    /// `signaledQueue` is the index in `queues` whose wake-up token the worker took while waiting.
    public func fetch(
        worker: String,
        queues: [String],
        leaseMilliseconds: Int,
        signaledQueue: Int? = nil,
        on connection: RedisConnection
    ) throws(RedisError) -> JobRecord? {
        try take(worker: worker, queues: queues, leaseMilliseconds: leaseMilliseconds, signaledQueue: signaledQueue, on: connection)?.job
    }

    /// Takes the next job as ``fetch(worker:queues:leaseMilliseconds:signaledQueue:on:)`` does;
    /// for a flow's first step, with its scope read in the same call (`scope`: what its `scope`
    /// field asked, read after the take).
    public func take(
        worker: String,
        queues: [String],
        leaseMilliseconds: Int,
        signaledQueue: Int? = nil,
        on connection: RedisConnection
    ) throws(RedisError) -> (job: JobRecord, scope: FlowSnapshot?)? {
        var arguments: [RedisArgument] = [.string(worker), .int(leaseMilliseconds), .int(signaledQueue.map { $0 + 1 } ?? 0)]
        arguments.append(contentsOf: queues.map { RedisArgument.string($0) })
        let reply = try connection.evaluate(StoreScripts.fetchJob, in: keys, keys: [.string(keys.namespace)], arguments: arguments)
        guard let parts = reply.array, parts.count == 2 else {
            if reply.isNull { return nil }
            throw RedisError.unexpectedReply("fetch_job: \(reply)")
        }
        guard let job = try Self.job(from: parts[0]) else { throw RedisError.unexpectedReply("fetch_job: \(reply)") }
        let scope = parts[1].array.flatMap { replies in
            Self.scopeRequest(of: job).map { FlowSnapshot(replies: replies, for: $0) }
        }
        return (job, scope)
    }

    /// The scope request a flow's first step carries (its `scope` field), if it is one.
    static func scopeRequest(of job: JobRecord) -> FlowSnapshot.Request? {
        guard let flow = job.flowID, let text = job.extra[FlowSnapshot.Request.stepField], let json = try? JSONValue(parsing: text) else {
            return nil
        }
        return FlowSnapshot.Request(flow: flow, prefetchJSON: json)
    }

    /// Blocks until one of `queues` has a wake-up token or `timeout` passes. Returns the index of
    /// the queue whose token was taken, or `nil` on timeout.
    public func waitForWork(queues: [String], timeout: Duration, on connection: RedisConnection) throws(RedisError) -> Int? {
        var command: [RedisArgument] = ["BLPOP"]
        command.append(contentsOf: queues.map { RedisArgument.string(keys.queueSignal($0)) })
        command.append(timeout.redisTimeoutArgument)
        let reply = try connection.send(command)
        guard let key = reply.array?.first?.string else { return nil }
        return queues.firstIndex { keys.queueSignal($0) == key }
    }

    /// What a worker wants next after finishing a job: another job from these queues, under a lease.
    public struct NextJob: Sendable {
        public var queues: [String]
        public var leaseMilliseconds: Int
        public init(queues: [String], leaseMilliseconds: Int) {
            self.queues = queues
            self.leaseMilliseconds = leaseMilliseconds
        }
    }

    /// Records how `job`'s current delivery ended and, in the same call, takes the next job.
    /// `applied` is false when the report was stale (the job was canceled or handed back meanwhile).
    public func complete(
        _ job: JobRecord,
        worker: String,
        outcome: JobOutcome,
        logs: String,
        next: NextJob?,
        on connection: RedisConnection
    ) throws(RedisError) -> (applied: Bool, next: JobRecord?) {
        let batch = try complete(
            [CompletionReport(job: job, outcome: outcome, logs: logs)], worker: worker, next: next, taking: next == nil ? 0 : 1, on: connection)
        return (try batch.applied.first?.get() ?? false, batch.next.first)
    }

    /// Records how several jobs' current deliveries ended (each fenced on its own, as
    /// ``complete(_:worker:outcome:logs:next:on:)``) and, in the same call, takes up to `taking`
    /// queued jobs of `next`'s queues under a lease: a worker's slots report in one round trip.
    /// `applied` holds one answer per report, in order — applied, stale, or the error its handling
    /// raised (which fails that report alone); `next` the jobs taken (maybe fewer).
    public func complete(
        _ reports: [CompletionReport],
        worker: String,
        next: NextJob?,
        taking: Int,
        on connection: RedisConnection
    ) throws(RedisError) -> (applied: [Result<Bool, RedisError>], next: [JobRecord]) {
        let queues = next?.queues ?? []
        var arguments: [RedisArgument] = [
            .string(worker), .int(settings.retentionSeconds), .int(settings.finishedIndexCap), .int(next?.leaseMilliseconds ?? 0),
            .int(next == nil ? 0 : taking), .int(queues.count),
        ]
        arguments.append(contentsOf: queues.map { RedisArgument.string($0) })
        var scriptKeys: [RedisArgument] = [.string(keys.namespace)]
        for report in reports {
            scriptKeys.append(.string(keys.job(report.job.id)))
            scriptKeys.append(.string(keys.jobLogs(report.job.id)))
            arguments.append(contentsOf: [
                .string(report.job.id.rawValue), .int(report.job.deliveries), .string(report.state), .string(report.payload),
                .string(report.logs),
            ])
        }
        let reply = try connection.evaluate(StoreScripts.completeJob, in: keys, keys: scriptKeys, arguments: arguments)
        guard let parts = reply.array, parts.count == 2, let flags = parts[0].array, flags.count == reports.count else {
            throw RedisError.unexpectedReply("complete_job: \(reply)")
        }
        var taken: [JobRecord] = []
        for job in parts[1].array ?? [] {
            if let record = try Self.job(from: job) { taken.append(record) }
        }
        let answers = flags.map { flag -> Result<Bool, RedisError> in
            if let applied = flag.integer { return .success(applied == 1) }
            return .failure(.unexpectedReply("complete_job refused a report: \(flag.string ?? "\(flag)")"))
        }
        return (answers, taken)
    }

    /// Hands a job back to its queue (a worker shutting down). Returns false when stale.
    @discardableResult
    public func requeue(_ job: JobRecord, worker: String, on connection: RedisConnection) throws(RedisError) -> Bool {
        let reply = try connection.evaluate(
            StoreScripts.requeueJob, in: keys,
            keys: [.string(keys.namespace), .string(keys.job(job.id))],
            arguments: [.string(job.id.rawValue), .string(worker), .int(job.deliveries)]
        )
        return reply.integer == 1
    }

    /// The heartbeat: marks `worker` alive and extends the leases of `held` jobs (id and delivery).
    /// Returns the ids the worker no longer holds.
    public func renewLeases(
        worker: String,
        info: JSONValue,
        held: [(JobID, Int)],
        leaseMilliseconds: Int,
        on connection: RedisConnection
    ) throws(RedisError) -> [(JobID, Int)] {
        var arguments: [RedisArgument] = [.string(worker), .int(leaseMilliseconds), .string(info.jsonText)]
        for (id, delivery) in held {
            arguments.append(.string(id.rawValue))
            arguments.append(.int(delivery))
        }
        let reply = try connection.evaluate(
            StoreScripts.renewLeases, in: keys,
            keys: [.string(keys.namespace), .string(keys.workers), .string(keys.worker(worker)), .string(keys.leases)],
            arguments: arguments
        )
        let parts = reply.array ?? []
        return stride(from: 0, to: parts.count - 1, by: 2).compactMap { index in
            guard let id = parts[index].string.flatMap(JobID.init), let delivery = parts[index + 1].string.flatMap({ Int($0) }) else { return nil }
            return (id, delivery)
        }
    }

    /// Hands back (or fails) jobs whose lease expired; forgets workers silent for `workerSilence`.
    /// When no reaping ran for longer than `stallThreshold` (Redis stalled, or every scheduler was
    /// away), nothing is handed back: each lease gets that unwatched time back, up to `stallLimit`,
    /// reported as `givenBack` (see reclaim_expired_leases.lua).
    public func reclaimExpiredLeases(
        limit: Int = 500,
        workerSilence: Duration = .seconds(60),
        stallThreshold: Duration = .seconds(2),
        stallLimit: Duration = .seconds(60),
        on connection: RedisConnection
    ) throws(RedisError) -> (handedBack: Int, failed: Int, givenBack: Duration) {
        let reply = try connection.evaluate(
            StoreScripts.reclaimExpiredLeases, in: keys,
            keys: [.string(keys.namespace), .string(keys.workers), .string(keys.leasesWatched)],
            arguments: [
                .int(limit), .int(settings.retentionSeconds), .int(settings.finishedIndexCap), .int(workerSilence.wholeMilliseconds),
                .int(stallThreshold.wholeMilliseconds), .int(stallLimit.wholeMilliseconds),
            ] + Self.freshIDs(32)
        )
        let counts = reply.array?.compactMap(\.integer) ?? []
        guard counts.count == 3 else { throw RedisError.unexpectedReply("reclaim_expired_leases: \(reply)") }
        return (Int(counts[0]), Int(counts[1]), .milliseconds(counts[2]))
    }

    /// A worker leaves (`release_worker`): no longer listed as live, the steps on its private queue
    /// handed back to their own queues. Returns how many were handed back.
    @discardableResult
    public func releaseWorker(_ worker: String, on connection: RedisConnection) throws(RedisError) -> Int {
        let reply = try connection.evaluate(
            StoreScripts.releaseWorker, in: keys, keys: [.string(keys.namespace), .string(keys.workers)], arguments: [.string(worker)])
        return Int(reply.integer ?? 0)
    }

    /// Looks at up to `limit` flow runs not looked at for `quiet` (`audit_flows`) and fails the
    /// first found stuck — nothing queued, running or parked for it, twice, `quiet` apart — with an
    /// error saying so. Returns how many it looked at and the flow it failed, if any.
    public func auditFlows(quiet: Duration, limit: Int = 200, on connection: RedisConnection) throws(RedisError) -> (looked: Int, failed: JobID?) {
        let reply = try connection.evaluate(
            StoreScripts.auditFlows, in: keys, keys: [.string(keys.namespace)],
            arguments: [.int(quiet.wholeMilliseconds), .int(limit), .int(settings.retentionSeconds), .int(settings.finishedIndexCap)]
                + Self.freshIDs(1))
        let parts = reply.array ?? []
        guard parts.count == 2, let looked = parts[0].integer else { throw RedisError.unexpectedReply("audit_flows: \(reply)") }
        return (Int(looked), parts[1].string.flatMap(JobID.init))
    }

    /// Moves due delayed jobs to their queues. Returns how many moved and how long until the next is due.
    public func promoteDueJobs(limit: Int = 1000, on connection: RedisConnection) throws(RedisError) -> (moved: Int, nextDue: Duration?) {
        let reply = try connection.evaluate(
            StoreScripts.promoteDueJobs, in: keys,
            keys: [.string(keys.namespace)],
            arguments: [.int(limit)]
        )
        let counts = reply.array?.compactMap(\.integer) ?? []
        let wait = counts.dropFirst().first ?? -1
        return (Int(counts.first ?? 0), wait < 0 ? nil : .milliseconds(wait))
    }

    /// Cancels a job that has not finished. Returns the state it was in, or `nil` for an unknown id.
    public func cancel(_ id: JobID, reason: String, on connection: RedisConnection) throws(RedisError) -> JobState? {
        let reply = try connection.evaluate(
            StoreScripts.cancelJob, in: keys,
            keys: [.string(keys.namespace), .string(keys.job(id))],
            arguments: [
                .string(id.rawValue), .string(reason), .int(settings.retentionSeconds), .int(settings.finishedIndexCap),
                .string(JobID.generate().rawValue),
            ]
        )
        return reply.string.flatMap(JobState.init(rawValue:))
    }

    /// What ``delete(_:on:)`` did.
    public enum Deletion: Sendable, Equatable {
        /// Deleted; it was in this (final) state.
        case deleted(JobState)
        /// Not deleted, and why (not finished; a flow's step).
        case refused(String)
        case unknown
    }

    /// Deletes a finished job (a flow run with its steps and gates) for good: `delete_job`.
    public func delete(_ id: JobID, on connection: RedisConnection) throws(RedisError) -> Deletion {
        let reply = try connection.evaluate(
            StoreScripts.deleteJob, in: keys, keys: [.string(keys.namespace), .string(keys.job(id))], arguments: [.string(id.rawValue)])
        if let state = reply.string.flatMap(JobState.init(rawValue:)) { return .deleted(state) }
        if let parts = reply.array, parts.count == 2, parts[0].string == "refused" { return .refused(parts[1].string ?? "refused") }
        return .unknown
    }

    /// Reads a job, or `nil` for an unknown (or expired) id.
    public func job(_ id: JobID, on connection: RedisConnection) throws(RedisError) -> JobRecord? {
        try Self.job(from: connection.send(["HGETALL", .string(keys.job(id))]))
    }

    /// Keeps what `job`, still running under `worker` at `delivery`, has printed so far
    /// (`write_live_logs`: fenced, so nothing is written once the job has its outcome or another
    /// delivery). Returns whether it was written.
    @discardableResult
    public func writeLiveLogs(_ job: JobID, worker: String, delivery: Int, logs: String, on connection: RedisConnection) throws(RedisError)
        -> Bool
    {
        try connection.evaluate(
            StoreScripts.writeLiveLogs, in: keys, keys: [.string(keys.job(job)), .string(keys.jobLogs(job))],
            arguments: [.string(worker), .int(delivery), .string(logs)]
        ).integer == 1
    }

    /// The first `limit` bytes of each job's result and error (empty when it has none), in order:
    /// `read_step_outcomes`, one call, never a whole large result.
    public func outcomePreviews(_ ids: [JobID], limit: Int, on connection: RedisConnection) throws(RedisError) -> [(result: String, error: String)] {
        guard !ids.isEmpty else { return [] }
        let reply = try connection.evaluate(
            StoreScripts.readStepOutcomes, in: keys, keys: ids.map { .string(keys.job($0)) }, arguments: [.int(limit)])
        return (reply.array ?? []).map { pair in
            let values = (pair.array ?? []).map { $0.string ?? "" }
            return (values.first ?? "", values.count > 1 ? values[1] : "")
        }
    }

    /// A job's captured logs, or `nil` when it has none.
    public func logs(_ id: JobID, on connection: RedisConnection) throws(RedisError) -> String? {
        try connection.send(["GET", .string(keys.jobLogs(id))]).string
    }

    /// Waits until the job is finished or `timeout` passes; returns the job as last seen, `nil` if unknown.
    public func wait(for id: JobID, timeout: Duration, on connection: RedisConnection) throws(RedisError) -> JobRecord? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var watching = false
        while true {
            // Registered as a waiter once (its end pushes one token per registration); then only read.
            let state =
                watching
                ? try connection.send(["HGET", .string(keys.job(id)), .string(JobRecord.Field.state.rawValue)])
                : try connection.evaluate(StoreScripts.watchJob, in: keys, keys: [.string(keys.job(id))], arguments: [])
            watching = true
            guard let stateText = state.string, let current = JobState(rawValue: stateText) else { return nil }
            if current.isFinal { return try job(id, on: connection) }
            let remaining = deadline - clock.now
            if remaining <= .zero { return try job(id, on: connection) }
            // A token arrives when the job finishes; wake at least every few seconds to re-check.
            _ = try connection.send(["BLPOP", .string(keys.jobDone(id)), min(remaining, .seconds(5)).redisTimeoutArgument])
        }
    }

    /// Ids for jobs a script may create (flow events), ULID style on this host's clock.
    static func freshIDs(_ count: Int) -> [RedisArgument] {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        return (0..<count).map { _ in .string(JobID(milliseconds: milliseconds).rawValue) }
    }

    static func job(from reply: RedisReply) throws(RedisError) -> JobRecord? {
        guard let fields = reply.fieldDictionary else { return nil }
        guard let record = JobRecord(fields: fields) else {
            throw RedisError.unexpectedReply("a job hash without the required fields (\(fields["id"] ?? "no id"))")
        }
        return record
    }
}

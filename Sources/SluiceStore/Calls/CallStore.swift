public import SluiceCore
public import SluiceRedis

/// The jobs running jobs start through their channels ("calls"): starting a script job linked to
/// its caller (`start_call`), the caller's list of them (`P:job:<id>:calls`), and canceling the
/// unfinished ones when the caller's run ends without success (`cancel_calls`). Flows are started
/// through ``FlowStore/advance(_:on:)`` with ``FlowAdvance/call``.
///
/// Every method blocks on the given connection: call it from a Redis client's own thread.
public struct CallStore: Sendable {
    public let keys: KeySpace
    public let settings: StoreSettings

    public init(keys: KeySpace, settings: StoreSettings = StoreSettings()) {
        self.keys = keys
        self.settings = settings
    }

    /// Creates the script job `request` describes as a call of `link.parent`, in one step. Returns
    /// its first state; throws ``CallRefusal`` when the caller no longer runs or a limit is reached.
    @discardableResult
    public func start(_ request: EnqueueRequest, as link: CallLink, on connection: RedisConnection) throws -> JobState {
        var arguments: [RedisArgument] = [
            .string(link.json.jsonText), .string(request.id.rawValue), .string(request.queue), .int(request.runAt ?? 0),
        ]
        arguments.append(contentsOf: request.hashFields.map { RedisArgument.string($0) })
        let reply = try connection.evaluate(
            StoreScripts.startCall, in: keys, keys: [.string(keys.namespace), .string(keys.job(request.id))], arguments: arguments)
        let parts = reply.array ?? []
        switch parts.first?.string {
        case "ok": return parts.count > 1 ? parts[1].string.flatMap(JobState.init(rawValue:)) ?? .queued : .queued
        case "refused": throw CallRefusal(parts.count > 1 ? parts[1].string ?? "refused" : "refused")
        default: throw RedisError.unexpectedReply("start_call: \(reply)")
        }
    }

    /// Whether `child` is a job `parent` started through its channel.
    public func isCall(_ child: JobID, of parent: JobID, on connection: RedisConnection) throws(RedisError) -> Bool {
        try connection.send(["ZSCORE", .string(keys.jobCalls(parent)), .string(child.rawValue)]).string != nil
    }

    /// The jobs `parent` started through its channel, oldest first.
    public func calls(of parent: JobID, on connection: RedisConnection) throws(RedisError) -> [JobID] {
        let members = try connection.send(["ZRANGE", .string(keys.jobCalls(parent)), "0", "-1"]).array?.compactMap(\.string) ?? []
        return members.compactMap(JobID.init).sorted { $0.rawValue < $1.rawValue }
    }

    /// Cancels what `job`'s runs up to `delivery` started and left unfinished, once that run ended
    /// without success (or before the job runs again). Returns how many calls those runs made.
    @discardableResult
    public func cancelCalls(of job: JobID, delivery: Int, reason: String, on connection: RedisConnection) throws(RedisError) -> Int {
        let reply = try connection.evaluate(
            StoreScripts.cancelCalls, in: keys, keys: [.string(keys.namespace), .string(keys.job(job))],
            arguments: [
                .string(job.rawValue), .string(reason), .int(settings.retentionSeconds), .int(settings.finishedIndexCap), .int(delivery),
            ])
        return Int(reply.integer ?? 0)
    }
}

public import SluiceCore
public import SluiceRedis

/// The scheduler's side of schedules: what is due, what each path runs, firing ticks and settling
/// finished runs — each batch pipelined, each state change one script call.
extension ScheduleStore {
    /// The due set's head as of Redis's clock.
    public struct DueSchedules: Sendable {
        /// Redis's clock (ms) when read.
        public var now: Int64
        /// Schedules due at or before `now`, earliest first.
        public var due: [String]
        /// When the first schedule not yet due is due (ms); `now` when more are due than were read.
        public var nextDue: Int64?
    }

    /// Up to `limit` due schedules, with Redis's clock, in one round trip. When more than `limit`
    /// are due and `anyWindow` is set, a second round trip reads a window of them at a random
    /// offset instead of the earliest: schedulers working through a burst together then mostly
    /// decide different schedules rather than racing for the same ones.
    public func due(limit: Int, anyWindow: Bool = false, on connection: RedisConnection) throws(RedisError) -> DueSchedules {
        var head = try dueHead(limit: limit, on: connection)
        guard anyWindow, head.due.count >= limit else { return head }
        let count = try connection.send(["ZCOUNT", .string(keys.schedulesDue), "-inf", .int(head.now)]).integer ?? 0
        guard count > Int64(limit) else { return head }
        let offset = Int64.random(in: 0...(count - Int64(limit)))
        let reply = try connection.send(["ZRANGEBYSCORE", .string(keys.schedulesDue), "-inf", .int(head.now), "LIMIT", .int(offset), .int(limit)])
        head.due = (reply.array ?? []).compactMap(\.string)
        return head
    }

    private func dueHead(limit: Int, on connection: RedisConnection) throws(RedisError) -> DueSchedules {
        let replies = try connection.pipeline([["TIME"], ["ZRANGE", .string(keys.schedulesDue), "0", .int(limit - 1), "WITHSCORES"]])
        let time = replies[0].array?.compactMap(\.integer) ?? []
        guard time.count == 2 else { throw RedisError.unexpectedReply("TIME: \(replies[0])") }
        let now = time[0] * 1000 + time[1] / 1000
        let elements = replies[1].array ?? []
        var due: [String] = []
        var nextDue: Int64?
        var index = 0
        while index + 1 < elements.count {
            if let name = elements[index].string, let score = elements[index + 1].string.flatMap(Double.init) {
                if Int64(score) <= now {
                    due.append(name)
                } else {
                    nextDue = Int64(score)
                    break
                }
            }
            index += 2
        }
        if nextDue == nil, due.count >= limit { nextDue = now }
        return DueSchedules(now: now, due: due, nextDue: nextDue)
    }

    /// What each path holds now — a flow (checked first), a script, or nothing — in one round trip.
    public func targets(_ paths: Set<String>, on connection: RedisConnection) throws(RedisError) -> [String: RunTarget] {
        let ordered = Array(paths)
        guard !ordered.isEmpty else { return [:] }
        var commands: [[RedisArgument]] = []
        typealias Field = StoredScript.Field
        for path in ordered {
            commands.append(["HMGET", .string(keys.flow(path))] + [Field.hash, .summary, .updatedAt].map { .string($0.rawValue) })
            commands.append(["HMGET", .string(keys.script(path))] + [Field.hash, .language].map { .string($0.rawValue) })
        }
        let replies = try connection.pipeline(commands)
        var targets: [String: RunTarget] = [:]
        for (position, path) in ordered.enumerated() {
            let flow = replies[2 * position].array ?? []
            let script = replies[2 * position + 1].array ?? []
            if let hash = flow.first?.string {
                let summary = flow.count > 1 ? flow[1].string ?? "" : ""
                let updated = flow.count > 2 ? flow[2].string.flatMap { Int64($0) } ?? 0 : 0
                targets[path] = .flow(StoredFlow(path: path, hash: hash, summary: summary, updatedAt: updated))
            } else if let hash = script.first?.string, script.count > 1, let language = script[1].string.flatMap(ScriptLanguage.init(rawValue:)) {
                targets[path] = .script(hash: hash, language: language)
            } else {
                targets[path] = .missing
            }
        }
        return targets
    }

    /// Fires (or moves) each schedule as decided, one `fire_schedule_tick` call each, pipelined.
    public func fire(_ firings: [TickFiring], on connection: RedisConnection) throws(RedisError) -> [Result<TickOutcome, RedisError>] {
        let calls: [(keys: [RedisArgument], arguments: [RedisArgument])] = firings.map { firing in
            var plan: [(String, JSONValue)] = [
                ("name", .string(firing.name)), ("version", .string(String(firing.version))), ("tick", .number(Double(firing.tick ?? 0))),
                ("missed", .number(Double(firing.missed))), ("next_ms", .number(Double(firing.nextDue ?? -1))),
                ("retention", .number(Double(settings.retentionSeconds))), ("cap", .number(Double(settings.finishedIndexCap))),
                ("runs_cap", .number(Double(Self.runsKept))),
            ]
            if let start = firing.start { plan.append(("start", start.json(settings: settings))) }
            return (
                [.string(keys.namespace), .string(keys.schedule(firing.name)), .string(keys.scheduleRuns(firing.name)), .string(keys.schedulesDue)],
                [.string(JSONValue(members: plan).jsonText)]
            )
        }
        return try evaluateEach(StoreScripts.fireScheduleTick, calls, on: connection).map { result in
            result.flatMap { reply in
                guard let parts = reply.array, parts.count == 3, let kind = parts[0].string.flatMap(TickOutcome.Kind.init(rawValue:)) else {
                    return .failure(.unexpectedReply("fire_schedule_tick: \(reply)"))
                }
                return .success(TickOutcome(kind: kind, lateness: parts[1].integer ?? 0, job: parts[2].string.flatMap(JobID.init)))
            }
        }
    }

    /// Finished runs waiting to be settled, oldest first, read as jobs (`nil` for a job whose hash
    /// expired: ``forgetSettlement(_:on:)`` drops it).
    public func pendingSettlements(limit: Int, on connection: RedisConnection) throws(RedisError) -> [(JobID, JobRecord?)] {
        let ids = (try connection.send(["ZRANGE", .string(keys.schedulesSettle), "0", .int(limit - 1)]).array ?? []).compactMap {
            $0.string.flatMap(JobID.init)
        }
        guard !ids.isEmpty else { return [] }
        let replies = try connection.pipeline(ids.map { ["HGETALL", .string(keys.job($0))] })
        return zip(ids, replies).map { id, reply in (id, try? JobStore.job(from: reply)) }
    }

    /// Drops a run from the settle set without settling it (its job expired before a scheduler saw it).
    public func forgetSettlement(_ id: JobID, on connection: RedisConnection) throws(RedisError) {
        _ = try connection.send(["ZREM", .string(keys.schedulesSettle), .string(id.rawValue)])
    }

    /// What settling one run did.
    public enum SettleOutcome: Sendable, Equatable {
        /// Settled; the on-failure run it started, if any.
        case settled(onFailureJob: JobID?)
        /// Another scheduler settled it first.
        case alreadySettled
    }

    /// Settles each run with `settle_schedule_run`, pipelined.
    public func settle(_ settlements: [RunSettlement], on connection: RedisConnection) throws(RedisError) -> [Result<SettleOutcome, RedisError>] {
        let calls: [(keys: [RedisArgument], arguments: [RedisArgument])] = settlements.map { settlement in
            var plan: [(String, JSONValue)] = [
                ("job", .string(settlement.job.rawValue)), ("retention", .number(Double(settings.retentionSeconds))),
                ("cap", .number(Double(settings.finishedIndexCap))),
            ]
            if let start = settlement.onFailure { plan.append(("on_failure", start.json(settings: settings))) }
            if let error = settlement.onFailureError { plan.append(("on_failure_error", .string(error))) }
            return (
                [.string(keys.namespace), .string(keys.scheduleRuns(settlement.schedule))],
                [.string(JSONValue(members: plan).jsonText)]
            )
        }
        return try evaluateEach(StoreScripts.settleScheduleRun, calls, on: connection).map { result in
            result.map { reply in
                switch reply {
                case .null: return .alreadySettled
                case .integer: return .settled(onFailureJob: nil)
                default: return .settled(onFailureJob: reply.string.flatMap(JobID.init))
                }
            }
        }
    }

    /// Runs `script` once per call in one pipeline of `EVALSHA`s. Calls answered `NOSCRIPT` (Redis
    /// restarted or its scripts were flushed) did not run: the script is loaded and they are sent again.
    private func evaluateEach(
        _ script: StoreScript, _ calls: [(keys: [RedisArgument], arguments: [RedisArgument])], on connection: RedisConnection
    ) throws(RedisError) -> [Result<RedisReply, RedisError>] {
        guard !calls.isEmpty else { return [] }
        func commands(_ indices: [Int]) -> [[RedisArgument]] {
            indices.map { script.command(keys: calls[$0].keys, arguments: calls[$0].arguments, in: keys) }
        }
        var replies = try connection.pipeline(commands(Array(calls.indices)))
        let unloaded = replies.indices.filter { index in
            if case .error(let message) = replies[index], message.hasPrefix("NOSCRIPT") { return true }
            return false
        }
        if !unloaded.isEmpty {
            _ = try connection.send(["SCRIPT", "LOAD", .string(script.source)]).throwingServerError()
            for (index, reply) in zip(unloaded, try connection.pipeline(commands(unloaded))) { replies[index] = reply }
        }
        return replies.map { reply in
            if case .error(let message) = reply { return .failure(.server(message)) }
            return .success(reply)
        }
    }
}

import Foundation
public import SluiceCore
public import SluiceRedis

/// Approval gates: reading them, recording approvals and rejections, firing their deadlines.
public struct GateStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// A gate (with its approvals and rejections when `history`), in one round trip that also
    /// reads Redis's clock into ``GateRecord/readAt``; `nil` for an unknown id.
    /// What a link to gate `id` is checked against, read alone before anything else of the gate
    /// (`read_gate_secret`): its secret, or — when there is no such gate — a fresh random stand-in
    /// of the same length, which no token matches. The same reply, the same work either way: a
    /// forged link on an existing gate costs what a link to no gate costs.
    public func linkSecret(of id: JobID, on connection: RedisConnection) throws(RedisError) -> String {
        let standIn = GateSecret.generate()
        return try connection.evaluate(StoreScripts.readGateSecret, in: keys, keys: [.string(keys.gate(id))], arguments: [.string(standIn)]).string
            ?? standIn
    }

    public func gate(_ id: JobID, history: Bool = true, on connection: RedisConnection) throws(RedisError) -> GateRecord? {
        var commands: [[RedisArgument]] = [["HGETALL", .string(keys.gate(id))], ["TIME"]]
        if history {
            commands += [["LRANGE", .string(keys.gateApprovals(id)), "0", "-1"], ["LRANGE", .string(keys.gateRejections(id)), "0", "-1"]]
        }
        let replies = try connection.pipeline(commands)
        guard let fields = replies[0].fieldDictionary else { return nil }
        let clock = replies[1].array?.compactMap(\.string).compactMap { Int64($0) } ?? []
        return GateRecord(
            fields: fields, approvals: history ? replies[2].array?.compactMap(\.string) ?? [] : [],
            rejections: history ? replies[3].array?.compactMap(\.string) ?? [] : [],
            readAt: clock.count == 2 ? clock[0] * 1000 + clock[1] / 1000 : nil)
    }

    /// What happened to an approval or a rejection.
    public enum RecordOutcome: Sendable, Equatable {
        /// Counted (or kept, while the gate is pending); the gate stays open.
        case recorded(count: Int, required: Int)
        /// This one decided the gate: `approved` or `rejected`.
        case decided(String, count: Int, required: Int)
        /// This identity had already decided (approved or rejected); it decides once.
        case duplicate(String)
        /// This identity had decided already, with another answer (payload or reason): the first stands.
        case conflict(String)
        /// The gate takes no more decisions (its state), but this identity's decision was recorded
        /// before it closed (`rejected`: it was a rejection): what a retry of an applied request finds.
        case countedBefore(String, rejected: Bool)
        /// The gate's rules refuse this identity, or this rejection; nothing changed.
        case refused(String)
        /// The gate is no longer taking decisions (its state; `timed_out` also when its deadline
        /// had passed and this call timed it out).
        case closed(String)
        /// Nothing recorded: an `expire` found the gate not past its deadline (its state).
        case notDue(String)
        /// No such gate.
        case unknown
    }

    /// Records an approval (`reject: false`) or a rejection by `subject` arriving through `channel`,
    /// under the gate's state, deadline and rules (`record_approval`). The entry's time is Redis's.
    public func record(
        gate id: JobID,
        subject: ResumeLinkSubject,
        reject: Bool,
        payload: JSONValue,
        reason: String?,
        channel: ApprovalChannel,
        on connection: RedisConnection
    ) throws(RedisError) -> RecordOutcome {
        try recordApproval(
            id, action: reject ? "reject" : "approve", subject: subject, identity: subject.identity, payload: payload, reason: reason,
            channel: channel, on: connection)
    }

    /// Times out an open gate whose deadline has passed on Redis's clock, as the scheduler would
    /// (once, one flow event): ``RecordOutcome/closed(_:)`` with `timed_out`. Records nothing;
    /// ``RecordOutcome/notDue(_:)`` when the deadline has not passed. With a `subject`, a gate that
    /// is closed (or timed out here) after that identity decided answers
    /// ``RecordOutcome/countedBefore(_:rejected:)`` instead of ``RecordOutcome/closed(_:)``.
    public func expireIfDue(gate id: JobID, subject: ResumeLinkSubject? = nil, on connection: RedisConnection) throws(RedisError)
        -> RecordOutcome
    {
        try recordApproval(
            id, action: "expire", subject: subject ?? .anonymous(nonce: ""), identity: subject?.identity ?? "", payload: .emptyObject,
            reason: nil, channel: .operator, on: connection)
    }

    private func recordApproval(
        _ id: JobID, action: String, subject: ResumeLinkSubject, identity: String, payload: JSONValue, reason: String?, channel: ApprovalChannel,
        on connection: RedisConnection
    ) throws(RedisError) -> RecordOutcome {
        var entry: [(String, JSONValue)] = [("approver", .string(subject.approverName)), ("payload", payload), ("via", .string(channel.rawValue))]
        if let reason { entry.append(("reason", .string(reason))) }
        // What tells a retry (the same answer) from a changed answer, kept with the decision.
        let answer = action == "expire" ? "" : ContentHash.of(payload.canonicalJSONText + "\u{0}" + (reason ?? "")).prefix(32)
        let reply = try connection.evaluate(
            StoreScripts.recordApproval, in: keys,
            keys: [.string(keys.namespace), .string(keys.gate(id))],
            arguments: [
                .string(id.rawValue), .string(action), .string(identity), .string(subject.approverName),
                subject.isAnonymous ? "1" : "0", .string(channel.rawValue), .string(JSONValue(members: entry).jsonText), .string(reason ?? ""),
                .string(JobID.generate().rawValue), .string(String(answer)),
            ]
        )
        let parts = reply.array ?? []
        let status = parts.first?.string ?? ""
        let detail = parts.count > 1 ? parts[1].string ?? "" : ""
        let count = parts.count > 2 ? Int(parts[2].integer ?? 0) : 0
        let required = parts.count > 3 ? Int(parts[3].integer ?? 0) : 0
        switch status {
        case "recorded": return .recorded(count: count, required: required)
        case "decided": return .decided(detail, count: count, required: required)
        case "duplicate": return .duplicate(detail)
        case "conflict": return .conflict(detail)
        case "counted_before": return .countedBefore(detail, rejected: parts.count > 4 && parts[4].string == "reject")
        case "refused": return .refused(detail)
        case "gate_closed": return .closed(detail)
        case "not_due": return .notDue(detail)
        case "unknown": return .unknown
        default: throw RedisError.unexpectedReply("record_approval: \(reply)")
        }
    }

    /// The open gates, soonest deadline first.
    public func openGates(limit: Int = 1000, on connection: RedisConnection) throws(RedisError) -> [GateRecord] {
        let ids = (try connection.send(["ZRANGE", .string(keys.gateDeadlines), "0", .int(limit - 1)]).array ?? []).compactMap {
            $0.string.flatMap(JobID.init)
        }
        var gates: [GateRecord] = []
        for id in ids {
            if let found = try gate(id, on: connection) { gates.append(found) }
        }
        return gates
    }

    /// The gates a flow opened, in order.
    public func gates(ofFlow flowID: JobID, on connection: RedisConnection) throws(RedisError) -> [GateRecord] {
        let ids = (try connection.send(["SMEMBERS", .string(keys.flowGates(flowID))]).array ?? []).compactMap { $0.string.flatMap(JobID.init) }
            .sorted()
        var gates: [GateRecord] = []
        for id in ids {
            if let found = try gate(id, on: connection) { gates.append(found) }
        }
        return gates
    }

    /// Times out due gates. Returns how many fired, their lateness (ms past the deadline, on
    /// Redis's clock) and how long until the next deadline.
    public func fireDeadlines(limit: Int = 200, on connection: RedisConnection) throws(RedisError) -> (
        fired: Int, lateness: [Int64], nextDue: Duration?
    ) {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let ids = (0..<limit).map { _ in RedisArgument.string(JobID(milliseconds: milliseconds).rawValue) }
        let reply = try connection.evaluate(
            StoreScripts.fireGateDeadlines, in: keys, keys: [.string(keys.namespace)], arguments: ids)
        let numbers = reply.array?.compactMap(\.integer) ?? []
        guard numbers.count >= 2 else { throw RedisError.unexpectedReply("fire_gate_deadlines: \(reply)") }
        return (Int(numbers[0]), Array(numbers.dropFirst(2)), numbers[1] < 0 ? nil : .milliseconds(numbers[1]))
    }
}

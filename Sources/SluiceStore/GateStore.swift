import Foundation
public import SluiceCore
public import SluiceRedis

/// Approval gates: reading them, recording approvals and rejections, firing their deadlines.
public struct GateStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// A gate with its approvals and rejections (one round trip), or `nil` for an unknown id.
    public func gate(_ id: JobID, on connection: RedisConnection) throws(RedisError) -> GateRecord? {
        let key = keys.gate(id)
        let replies = try connection.pipeline([
            ["HGETALL", .string(key)], ["LRANGE", .string(key + ":approvals"), "0", "-1"], ["LRANGE", .string(key + ":rejections"), "0", "-1"],
        ])
        guard let fields = replies[0].fieldDictionary else { return nil }
        return GateRecord(
            fields: fields, approvals: replies[1].array?.compactMap(\.string) ?? [], rejections: replies[2].array?.compactMap(\.string) ?? [])
    }

    /// What happened to an approval or a rejection.
    public enum RecordOutcome: Sendable, Equatable {
        /// Counted (or kept, while the gate is pending); the gate stays open.
        case recorded(count: Int, required: Int)
        /// This one decided the gate: `approved` or `rejected`.
        case decided(String, count: Int, required: Int)
        /// This approver had already approved; it counts once.
        case duplicate(String)
        /// The gate's rules refuse this identity; nothing changed.
        case refused(String)
        /// The gate is no longer taking decisions (its state).
        case closed(String)
        /// No such gate.
        case unknown
    }

    /// Records an approval (`reject: false`) or a rejection by `subject`, under the gate's rules.
    public func record(
        gate id: JobID,
        subject: ResumeLinkSubject,
        reject: Bool,
        payload: JSONValue,
        reason: String?,
        via: String,
        on connection: RedisConnection
    ) throws(RedisError) -> RecordOutcome {
        let entry = ApprovalEntry(
            approver: subject.approverName, payload: payload, at: Int64(Date().timeIntervalSince1970 * 1000), via: via, reason: reason)
        let reply = try connection.evaluate(
            StoreScripts.recordApproval,
            keys: [.string(keys.namespace), .string(keys.gate(id))],
            arguments: [
                .string(id.rawValue), reject ? "reject" : "approve", .string(subject.identity), .string(subject.approverName),
                subject.isAnonymous ? "1" : "0", .string(entry.json.jsonText), .string(reason ?? ""),
                .string(JobID(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000)).rawValue),
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
        case "refused": return .refused(detail)
        case "closed": return .closed(detail)
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
            StoreScripts.fireGateDeadlines, keys: [.string(keys.namespace), .string(keys.gateDeadlines)], arguments: ids)
        let numbers = reply.array?.compactMap(\.integer) ?? []
        guard numbers.count >= 2 else { throw RedisError.unexpectedReply("fire_gate_deadlines: \(reply)") }
        return (Int(numbers[0]), Array(numbers.dropFirst(2)), numbers[1] < 0 ? nil : .milliseconds(numbers[1]))
    }
}

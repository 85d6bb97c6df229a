import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting

/// An approval gate and its suspended flow written straight into Redis, as `advance_flow` leaves
/// them when a flow parks (docs/redis-keys.md) — for tests of the resumer's routes and of the
/// approval operation without a worker or a scheduler.
struct SeededGate: Sendable {
    /// What the gate is like; the defaults are an open gate needing one approval, an hour left.
    struct Rules: Sendable {
        var state: GateState = .open
        var required = 1
        var form: JSONValue?
        var page: JSONValue = .emptyObject
        var hideCancel = false
        var selfApprovalDisabled = false
        var userAuthRequired = false
        var groups: [String] = []
        var createdBy: String?
        /// Inside a loop: the gate's frame and iteration.
        var frame: String?
        var iteration: Int?
        /// Milliseconds from now (Redis's clock) to the deadline; negative: already past.
        var deadlineFromNow: Int64 = 3_600_000
    }

    static let publicURL = "http://resumer.test"

    let keys: KeySpace
    let id: JobID
    let flow: JobID
    let secret: String

    /// Writes a gate with `rules` and its flow, parked at it.
    static func make(_ rules: Rules = Rules(), keys: KeySpace, on connection: RedisConnection) throws -> SeededGate {
        let now = try connection.serverMilliseconds()
        let flow = JobID.generate()
        let id = JobID.generate()
        let secret = GateSecret.generate()
        let flowKey = keys.job(flow)
        var flowFields: [RedisArgument] = [
            "id", .string(flow.rawValue), "kind", "flow", "state", rules.state == .pending ? "running" : "suspended", "queue", "default",
            "created_at", .string(String(now - 5000)), "args", #"{"order":"A-17","amount":12.5}"#, "path", "f/test/refund", "gate",
            .string(id.rawValue), "steps", rules.state == .pending ? "1" : "0",
        ]
        if let createdBy = rules.createdBy { flowFields += ["created_by", .string(createdBy)] }
        _ = try connection.send(["HSET", .string(flowKey)] + flowFields)
        var gateFields: [RedisArgument] = [
            "id", .string(id.rawValue), "state", .string(rules.state.rawValue), "flow_id", .string(flow.rawValue), "module_id", "ask", "secret",
            .string(secret), "timeout_seconds", "3600", "required", .string(String(rules.required)), "flow_summary", "Refund",
            "flow_path", "f/test/refund", "created_at", .string(String(now - 4000)),
        ]
        if rules.hideCancel { gateFields += ["hide_cancel", "1"] }
        if rules.selfApprovalDisabled { gateFields += ["self_approval_disabled", "1"] }
        if rules.userAuthRequired { gateFields += ["user_auth_required", "1"] }
        if !rules.groups.isEmpty { gateFields += ["groups", .string(JSONValue.array(rules.groups.map { .string($0) }).jsonText)] }
        if let createdBy = rules.createdBy { gateFields += ["created_by", .string(createdBy)] }
        if let form = rules.form { gateFields += ["form", .string(form.jsonText)] }
        if let frame = rules.frame { gateFields += ["frame", .string(frame)] }
        if let iteration = rules.iteration { gateFields += ["iteration", .string(String(iteration))] }
        if rules.state == .open {
            let deadline = now + rules.deadlineFromNow
            gateFields += ["opened_at", .string(String(now - 3000)), "deadline", .string(String(deadline))]
            if rules.page != .emptyObject { gateFields += ["page", .string(rules.page.jsonText)] }
            _ = try connection.send("ZADD", .string(keys.gateDeadlines), .string(String(deadline)), .string(id.rawValue))
        }
        _ = try connection.send(["HSET", .string(keys.gate(id))] + gateFields)
        _ = try connection.send("SADD", .string(keys.flowGates(flow)), .string(id.rawValue))
        return SeededGate(keys: keys, id: id, flow: flow, secret: secret)
    }

    /// The links of `approver` (anonymous when `nil`), under ``publicURL``.
    func links(_ approver: String?) -> ResumeLinks {
        ResumeLinks(
            publicURL: Self.publicURL, gate: id.rawValue, subject: approver.map(ResumeLinkSubject.named) ?? .newAnonymous(),
            mintingKey: GateSecret.mintingKey(secret: secret))
    }

    /// The gate as stored now.
    func record(on connection: RedisConnection) throws -> GateRecord? {
        try GateStore(keys: keys).gate(id, on: connection)
    }

    /// The `flow_event` jobs queued for the flow.
    func flowEvents(on connection: RedisConnection) throws -> Int {
        let queued = try connection.send("LRANGE", .string(keys.queue("default")), "0", "-1").array?.compactMap(\.string) ?? []
        var events = 0
        for id in queued {
            let fields = try connection.send("HMGET", .string(keys.namespace + "job:" + id), "kind", "flow_id").array?.compactMap(\.string) ?? []
            if fields == ["flow_event", flow.rawValue] { events += 1 }
        }
        return events
    }

}

/// The path part of a link, as the in-process router client sends it.
func routePath(_ url: String) -> String {
    String(url.dropFirst(SeededGate.publicURL.count))
}

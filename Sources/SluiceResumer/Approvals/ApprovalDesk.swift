import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore

/// What the resumer does behind the links, without HTTP: checks a link, shows its gate, records
/// approvals and rejections. Every Redis call runs on a pool client's own queue.
struct ApprovalDesk: Sendable {
    let pool: RedisClientPool
    let gates: GateStore
    let jobs: JobStore

    /// Why a request was not carried out. Each maps to one precise HTTP status.
    enum Refusal: Error, Equatable {
        /// Unknown gate, malformed or forged link (404).
        case notFound
        /// The gate no longer takes decisions (410), in this state.
        case closed(String)
        /// The gate's rules refuse this identity (403).
        case forbidden(String)
        /// The payload does not satisfy the form (422): field and message.
        case invalid(field: String, message: String)
    }

    /// A gate as its approval page shows it.
    struct View: Sendable {
        let gate: GateRecord
        let flow: JobRecord?
        let link: ApprovalLink
    }

    /// The gate behind an authentic link; `notFound` for anything else, whatever the gate's state.
    func view(_ link: ApprovalLink) async throws -> View {
        let gates = gates
        let jobs = jobs
        let (gate, flow) = try await pool.run { connection -> (GateRecord?, JobRecord?) in
            guard let gate = try gates.gate(link.gate, on: connection) else { return (nil, nil) }
            return (gate, try jobs.job(gate.flowID, on: connection))
        }
        guard let gate, link.isAuthentic(for: gate) else { throw Refusal.notFound }
        return View(gate: gate, flow: flow, link: link)
    }

    /// What an accepted approval or rejection did.
    enum Accepted: Equatable {
        case counted(count: Int, required: Int, pending: Bool)
        case decided(String, count: Int, required: Int)
        case alreadyCounted(String)
    }

    /// Approves (with `payload`, checked against the gate's form) or rejects (with `reason`).
    func act(_ link: ApprovalLink, reject: Bool, payload: JSONValue, reason: String?) async throws -> Accepted {
        let view = try await view(link)
        let gate = view.gate
        guard gate.isAcceptingDecisions else { throw Refusal.closed(gate.state) }
        var checked = payload
        if !reject {
            if let form = gate.form {
                do {
                    checked = try JSONSchema(form).validate(payload, root: "payload")
                } catch let violation as SchemaViolation {
                    throw Refusal.invalid(field: violation.field, message: violation.message)
                }
            } else if payload.memberList == nil {
                throw Refusal.invalid(field: "payload", message: "expected an object, got \(payload.typeName)")
            }
        }
        let gates = gates
        let body = checked
        let outcome = try await pool.run { connection in
            try gates.record(gate: link.gate, subject: link.subject, reject: reject, payload: body, reason: reason, via: "link", on: connection)
        }
        switch outcome {
        case .recorded(let count, let required): return .counted(count: count, required: required, pending: gate.state == "pending")
        case .decided(let decision, let count, let required): return .decided(decision, count: count, required: required)
        case .duplicate(let message): return .alreadyCounted(message)
        case .refused(let why): throw Refusal.forbidden(why)
        case .closed(let state): throw Refusal.closed(state)
        case .unknown: throw Refusal.notFound
        }
    }

    /// Whether Redis answers, for `/healthz`.
    func isRedisReachable() async -> Bool {
        (try? await pool.run { try $0.send(["PING"]).string == "PONG" }) ?? false
    }
}

import SluiceCore
import SluiceFlows
import SluiceStore

/// What a `flow_event` job tells a worker, from its arguments.
enum FlowEvent {
    /// A step failed because its workers kept dying (`reclaim_expired_leases`).
    case stepLost(JobID, message: String)
    /// A gate was decided (`record_approval`, `advance_flow` at park, `fire_gate_deadlines`).
    case gateDecided(JobID, GateOutcome)

    init?(_ arguments: JSONValue) {
        switch arguments["event"]?.stringValue {
        case "step_lost":
            guard let step = arguments["step_id"]?.stringValue.flatMap(JobID.init) else { return nil }
            self = .stepLost(step, message: arguments["error"]?.stringValue ?? "worker lost")
        case "gate_decided":
            guard let gate = arguments["gate"]?.stringValue.flatMap(JobID.init) else { return nil }
            let entries = (arguments["entries"]?.arrayValue ?? []).compactMap(ApprovalEntry.init(json:))
            let context = ResumeContext(
                resume: entries.last?.payload ?? .null, resumes: entries.map(\.payload), approvers: entries.map(\.approver))
            let by = arguments["by"]?.stringValue ?? ""
            let reason = arguments["reason"]?.stringValue ?? ""
            switch arguments["outcome"]?.stringValue {
            case "approved": self = .gateDecided(gate, .approved(context))
            case "rejected": self = .gateDecided(gate, .rejected(by: by.isEmpty ? "anonymous" : by, reason: reason.isEmpty ? nil : reason, context))
            case "timed_out": self = .gateDecided(gate, .timedOut(context))
            default: return nil
            }
        default:
            return nil
        }
    }
}

import SluiceCore
import SluiceFlows
import SluiceStore

/// What a `flow_event` job tells the runtime, from its arguments (written by the Lua scripts).
enum FlowEvent {
    /// A step failed because its workers kept dying (`reclaim_expired_leases`).
    case stepLost(JobID, message: String)
    /// A gate was decided (`record_approval`, `advance_flow` at park, `fire_gate_deadlines`).
    case gateDecided(JobID, GateOutcome)
    /// A container's children are done (`advance_flow`'s join): finish it and move its frame on.
    case containerDone(container: String, job: JobID)
    /// A subflow ended: move the step that started it on.
    case subflowDone(job: JobID, state: JobState, result: JSONValue?, error: String?)

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
        case "container_done":
            guard let container = arguments["container"]?.stringValue, let job = arguments["job"]?.stringValue.flatMap(JobID.init) else { return nil }
            self = .containerDone(container: container, job: job)
        case "subflow_done":
            guard let job = arguments["job"]?.stringValue.flatMap(JobID.init),
                let state = arguments["state"]?.stringValue.flatMap(JobState.init(rawValue:))
            else { return nil }
            let result = arguments["result"]?.stringValue.flatMap { try? JSONValue(parsing: $0) }
            self = .subflowDone(job: job, state: state, result: result, error: arguments["error"]?.stringValue)
        default:
            return nil
        }
    }
}

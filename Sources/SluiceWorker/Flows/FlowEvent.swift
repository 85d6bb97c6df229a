import SluiceCore

/// What a `flow_event` job tells a worker, from its arguments.
enum FlowEvent {
    /// A step failed because its workers kept dying (`reclaim_expired_leases`).
    case stepLost(JobID, message: String)

    init?(_ arguments: JSONValue) {
        switch arguments["event"]?.stringValue {
        case "step_lost":
            guard let step = arguments["step_id"]?.stringValue.flatMap(JobID.init) else { return nil }
            self = .stepLost(step, message: arguments["error"]?.stringValue ?? "worker lost")
        default:
            return nil
        }
    }
}

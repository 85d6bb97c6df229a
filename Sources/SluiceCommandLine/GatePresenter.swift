public import SluiceCore
public import SluiceStore

/// How gates look on a terminal and in JSON. Never shows the gate's secret.
public enum GatePresenter {
    public static func json(_ gate: GateRecord) -> JSONValue {
        JSONValue(members: [
            ("gate", .string(gate.id.rawValue)), ("flow", .string(gate.flowID.rawValue)), ("path", gate.flowPath.map(JSONValue.string) ?? .null),
            ("module", .string(gate.moduleID)), ("frame", gate.frame.map(JSONValue.string) ?? .null),
            ("iteration", gate.iteration.map { .number(Double($0)) } ?? .null), ("state", .string(gate.state.rawValue)),
            ("approvals", .number(Double(gate.approvals.count))),
            ("required", .number(Double(gate.required))), ("deadline", gate.deadline.map { .number(Double($0)) } ?? .null),
            ("groups", .array(gate.groups.map { .string($0) })), ("history", .array(history(gate).map(\.json))),
        ])
    }

    /// Approvals and rejections in time order.
    public static func history(_ gate: GateRecord) -> [ApprovalEntry] {
        (gate.approvals
            + gate.rejections.map { entry in
                var rejection = entry
                rejection.reason = entry.reason ?? ""
                return rejection
            }).sorted { $0.at < $1.at }
    }

    /// A gate and its history as text lines.
    public static func text(_ gate: GateRecord) -> String {
        let place = gate.frame.map { " " + JobPresenter.place($0) } ?? ""
        var lines = ["gate \(gate.moduleID)\(place) (\(gate.id)): \(gate.state), \(gate.approvals.count)/\(gate.required) approvals"]
        if let deadline = gate.deadline { lines[0] += ", deadline \(JobPresenter.timestamp(deadline))" }
        for entry in gate.approvals {
            lines.append("  approved by \(entry.approver) at \(JobPresenter.timestamp(entry.at)) via \(entry.via): \(entry.payload.jsonText)")
        }
        for entry in gate.rejections {
            let reason = entry.reason.map { $0.isEmpty ? "" : ": \($0)" } ?? ""
            lines.append("  rejected by \(entry.approver) at \(JobPresenter.timestamp(entry.at)) via \(entry.via)\(reason)")
        }
        return lines.joined(separator: "\n")
    }
}

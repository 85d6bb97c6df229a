public import SluiceApprovals
public import SluiceCore
public import SluiceRedis
public import SluiceStore

/// The console's decisions on gates: approve or reject as the operator through the same
/// ``ApprovalDesk`` as the CLI (`credential: .operator`, recorded `via: operator`; the gate's
/// state, deadline, form and rules apply), and minting a link for a named approver. Each is
/// recorded in the ``AuditLog``.
public struct GateActions: Sendable {
    public let desk: ApprovalDesk
    let audit: AuditLog

    public init(keys: KeySpace) {
        desk = ApprovalDesk(gates: GateStore(keys: keys))
        audit = AuditLog(keys: keys)
    }

    /// Approves (with the form's fields; without a form, a note becomes `{"note": …}`) or rejects
    /// (the note as its reason) gate `id` as `who`. Throws ``ApprovalRefusal`` for what the desk refuses.
    public func decide(
        _ id: JobID, reject: Bool, fields: [(name: String, value: String)], note: String?, who: String, on connection: RedisConnection
    ) throws -> ApprovalOutcome {
        let action: ApprovalSubmission.Action
        if reject {
            action = .reject(reason: note)
        } else if let gate = try desk.gates.gate(id, history: false, on: connection), gate.form == nil {
            action = .approve(.json((note ?? "").isEmpty ? .emptyObject : ["note": .string(note ?? "")]))
        } else {
            action = .approve(.form(fields))
        }
        let submission = ApprovalSubmission(gate: id, subject: .named(who), credential: .operator, action: action)
        do {
            let outcome = try desk.submit(submission, on: connection)
            try audit.record(who: who, action: reject ? "reject" : "approve", target: id.rawValue, outcome: Self.describe(outcome), on: connection)
            return outcome
        } catch let refusal as ApprovalRefusal {
            try audit.record(who: who, action: reject ? "reject" : "approve", target: id.rawValue, outcome: refusal.description, on: connection)
            throw refusal
        }
    }

    /// A link to gate `id`'s approval page for `approver`, under the resumer's public URL; `nil`
    /// when no such gate takes decisions.
    public func mintLink(_ id: JobID, approver: String, publicURL: String, who: String, on connection: RedisConnection) throws -> (
        url: String, gate: GateRecord
    )? {
        guard let gate = try desk.gates.gate(id, history: false, on: connection), gate.isAcceptingDecisions else { return nil }
        let links = ResumeLinks(
            publicURL: PrefixLinks.base(publicURL: publicURL, keys: desk.gates.keys), gate: id.rawValue, subject: .named(approver),
            mintingKey: GateSecret.mintingKey(secret: gate.secret))
        try audit.record(who: who, action: "mint-link", target: id.rawValue, outcome: "for \(approver)", on: connection)
        return (links.approvalPage, gate)
    }

    static func describe(_ outcome: ApprovalOutcome) -> String {
        switch outcome {
        case .counted(let count, let required, _): "counted: \(count) of \(required)"
        case .rejectionKept: "rejection kept until the step ends"
        case .decided(let state, let count, let required): "decided: \(state) (\(count) of \(required))"
        case .alreadyDecided(let message): message
        case .countedBefore(let state, _): "counted before the gate closed (\(state.rawValue))"
        }
    }
}

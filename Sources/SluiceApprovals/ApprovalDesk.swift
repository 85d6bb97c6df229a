public import SluiceCore
public import SluiceRedis
public import SluiceStore

/// Approvals and rejections as one operation, for every way they arrive (the resumer's links,
/// `sluice resume`): read the gate once, check the credential before anything else is read,
/// decide (``ApprovalDecision``), record (`record_approval`, one script that re-checks what it
/// expects), and say what happened (``ApprovalOutcome``) or why not (``ApprovalRefusal``).
///
/// Its calls block on hiredis: run them on a ``RedisClientPool`` client (the resumer) or a
/// command-line connection, never on an event loop.
public struct ApprovalDesk: Sendable {
    public let gates: GateStore

    public init(gates: GateStore) {
        self.gates = gates
    }

    /// The gate a credential opens (with its history when `history`). A link's token is checked
    /// against the gate's secret — read alone, before anything else of the gate is read or parsed —
    /// and an unknown gate answers a fresh random stand-in of the same length
    /// (``GateStore/linkSecret(of:on:)``), so a forged token on an existing gate and a link to no
    /// gate cost the same work and the same time, and the answer does not tell them apart. Throws
    /// ``ApprovalRefusal/notFound`` for both.
    public func gate(_ id: JobID, subject: ResumeLinkSubject, credential: ApprovalCredential, history: Bool, on connection: RedisConnection) throws
        -> GateRecord
    {
        if case .link(let token) = credential {
            let secret = try gates.linkSecret(of: id, on: connection)
            guard GateSecret.verify(token: token, subject: subject.signedText, secret: secret) else { throw ApprovalRefusal.notFound }
        }
        guard let gate = try gates.gate(id, history: history, on: connection) else { throw ApprovalRefusal.notFound }
        return gate
    }

    /// Hands in `submission`: one read of its gate, then the one script that records it.
    public func submit(_ submission: ApprovalSubmission, on connection: RedisConnection) throws -> ApprovalOutcome {
        let gate = try gate(submission.gate, subject: submission.subject, credential: submission.credential, history: false, on: connection)
        guard gate.isAcceptingDecisions else {
            let outcome = try closedGate(submission, state: gate.currentState, on: connection)
            try connection.awaitReplicas(in: gates.keys)
            return outcome
        }
        let decision = try ApprovalDecision(submission, gate: gate)
        let recorded = try gates.record(
            gate: submission.gate, subject: submission.subject, reject: decision.reject, payload: decision.payload, reason: decision.reason,
            channel: submission.credential.channel, on: connection)
        let outcome = try Self.outcome(of: recorded, decision: decision, gate: gate)
        // With --ack, nobody hears "counted" or "approved" before the replicas hold it — a retry
        // that finds it counted already waits the same way (RedisError.notReplicated otherwise).
        try connection.awaitReplicas(in: gates.keys)
        return outcome
    }

    /// The answer for a gate that takes no more decisions: closed, or open but past its deadline on
    /// Redis's clock and not yet fired by a scheduler — then `expire` times it out now (once, with
    /// its flow event), so the flow moves on at once. Nothing is recorded either way; when this
    /// identity had decided before the gate closed — a retry of a request that was applied, its
    /// answer lost — the outcome says it counted, else the refusal says the gate is closed.
    private func closedGate(_ submission: ApprovalSubmission, state: GateState, on connection: RedisConnection) throws -> ApprovalOutcome {
        let found = try gates.expireIfDue(gate: submission.gate, subject: submission.subject, on: connection)
        if case .countedBefore(let final, let rejected) = found {
            return .countedBefore(state: GateState(rawValue: final) ?? state, rejected: rejected)
        }
        throw ApprovalRefusal.closed(state: state)
    }

    /// What `record_approval` answered, as an outcome or the refusal it stands for.
    private static func outcome(of outcome: GateStore.RecordOutcome, decision: ApprovalDecision, gate: GateRecord) throws(ApprovalRefusal)
        -> ApprovalOutcome
    {
        switch outcome {
        case .recorded(let count, let required):
            return decision.reject ? .rejectionKept : .counted(count: count, required: required, pending: gate.state == .pending)
        case .decided(let state, let count, let required): return .decided(state: state, count: count, required: required)
        case .duplicate(let message): return .alreadyDecided(message)
        case .conflict(let message): throw .conflict(message)
        case .countedBefore(let state, let rejected): return .countedBefore(state: GateState(rawValue: state) ?? .closed, rejected: rejected)
        case .refused(let why): throw .forbidden(why)
        case .closed(let state): throw .closed(state: GateState(rawValue: state) ?? .closed)
        case .notDue(let state): throw .closed(state: GateState(rawValue: state) ?? .closed)  // only `expire` answers it
        case .unknown: throw .notFound
        }
    }

}

import SluiceApprovals
import SluiceCore
import SluiceRedis
import SluiceStore

/// A gate as its approval page shows it: the gate with its history, its flow (who started it,
/// when, with what), and the link it is shown through.
struct ApprovalView: Sendable {
    let gate: GateRecord
    let flow: JobRecord?
    let link: ApprovalLink

    /// Reads what `link` may see: the gate (with its history), its token checked before anything
    /// else is read, then — only for an authentic link, and only when a page is to be rendered —
    /// the flow. Throws ``ApprovalRefusal/notFound`` for an unknown gate or a forged link.
    static func read(_ link: ApprovalLink, withFlow: Bool, desk: ApprovalDesk, jobs: JobStore, on connection: RedisConnection) throws
        -> ApprovalView
    {
        let gate = try desk.gate(link.gate, subject: link.subject, credential: link.credential, history: true, on: connection)
        return ApprovalView(gate: gate, flow: withFlow ? try jobs.job(gate.flowID, on: connection) : nil, link: link)
    }
}

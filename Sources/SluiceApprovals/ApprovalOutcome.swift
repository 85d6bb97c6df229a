public import SluiceStore

/// What a recorded approval or rejection did to its gate.
public enum ApprovalOutcome: Sendable, Equatable {
    /// An approval counted; the gate stays open for more (or, `pending`, waits for its step to end).
    case counted(count: Int, required: Int, pending: Bool)
    /// A rejection kept on a pending gate: it decides the gate when the flow parks.
    case rejectionKept
    /// This approval met the quorum or this rejection closed the gate: `approved` or `rejected`.
    case decided(state: String, count: Int, required: Int)
    /// This identity had already decided on the gate; nothing changed. The message says how.
    case alreadyDecided(String)
    /// The gate is closed now (`state`), and this identity's decision — a rejection when
    /// `rejected` — was recorded before it closed: a retry of a request that was applied (its
    /// answer lost) learns that it counted. Nothing changed.
    case countedBefore(state: GateState, rejected: Bool)

    /// What ``countedBefore(state:rejected:)`` tells people (pages, the CLI).
    public static func countedBeforeMessage(state: GateState, rejected: Bool) -> String {
        let what = rejected ? "Your rejection was recorded" : "Your approval was counted"
        switch state {
        case .approved: return "\(what) before the gate closed; it was approved."
        case .rejected: return "\(what) before the gate closed; it was rejected."
        case .timedOut: return "\(what) before the gate closed; it then timed out."
        case .canceled: return "\(what) before the gate closed; the flow was then canceled."
        case .closed, .pending, .open: return "\(what) before the gate closed; its step then ended without waiting for approval."
        }
    }
}

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
}

/// How an approval or a rejection reaches a gate, as recorded in its entry's `via`.
public enum ApprovalChannel: String, Sendable, Equatable {
    /// Through a resume link, served by the resumer.
    case link
    /// By an operator with Redis credentials (`sluice resume`).
    case `operator`
}

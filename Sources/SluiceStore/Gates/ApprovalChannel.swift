/// How an approval or a rejection reaches a gate, as recorded in its entry's `via`.
public enum ApprovalChannel: String, Sendable, Equatable {
    /// Through a resume link, served by the resumer.
    case link
    /// By an operator with Redis credentials (`sluice resume`).
    case `operator`
    /// By the person who ran the flow, answering in their terminal (`sluice run --wait`).
    case prompt

    /// Whether `hide_cancel` binds this channel: it does the people a gate asks (links and
    /// prompts), not operators.
    public var honoursHideCancel: Bool { self != .operator }
}

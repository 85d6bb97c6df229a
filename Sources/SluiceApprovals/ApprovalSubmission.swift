public import SluiceCore
public import SluiceStore

/// One approval or rejection handed in for a gate, whichever way it arrives: through a resume
/// link (the resumer) or from an operator (`sluice resume`). ``ApprovalDesk/submit(_:on:)`` turns
/// it into one recorded decision or one refusal.
public struct ApprovalSubmission: Sendable {
    /// What the submitter asks for.
    public enum Action: Sendable {
        /// Approve, with a payload for the gate's form.
        case approve(ApprovalPayload)
        /// Reject, optionally saying why.
        case reject(reason: String?)
    }

    public var gate: JobID
    /// Who acts: the approver the link was minted for, an anonymous link, or the operator's name.
    public var subject: ResumeLinkSubject
    public var credential: ApprovalCredential
    public var action: Action

    public init(gate: JobID, subject: ResumeLinkSubject, credential: ApprovalCredential, action: Action) {
        self.gate = gate
        self.subject = subject
        self.credential = credential
        self.action = action
    }

    /// Whether this is a rejection.
    public var isRejection: Bool {
        if case .reject = action { return true }
        return false
    }
}

/// An approval's payload as it arrives: JSON (an API client, the CLI) or the fields of the
/// approval page's HTML form, which only the gate's form can turn into JSON.
public enum ApprovalPayload: Sendable {
    case json(JSONValue)
    /// `application/x-www-form-urlencoded` fields, in order (a repeated name: the last counts).
    case form([(name: String, value: String)])
}

/// What entitles a submission to act on a gate.
public enum ApprovalCredential: Sendable, Equatable {
    /// A link's token, checked against the gate's secret for the subject (in constant time).
    case link(token: String)
    /// An operator holding Redis credentials: no token; the gate's rules still apply to the name.
    case `operator`
    /// The runner of a flow answering in their terminal (holding Redis credentials, like an
    /// operator); recorded `via: prompt`, bound by `hide_cancel` like a link.
    case prompt

    /// How the decision is recorded (`via`).
    public var channel: ApprovalChannel {
        switch self {
        case .link: .link
        case .operator: .operator
        case .prompt: .prompt
        }
    }
}

import SluiceApprovals
import SluiceCore
import SluiceStore

/// A resume link as the resumer receives it: gate, subject and token from the URL path.
struct ApprovalLink: Sendable {
    let gate: JobID
    let subject: ResumeLinkSubject
    let token: String

    /// Reads the path parts; `nil` when they cannot be a link (answered like a forged one: 404).
    init?(gate: String, subject: String, token: String) {
        guard let gateID = JobID(gate), let parsed = ResumeLinkSubject(pathSegment: subject), token.utf8.count == 64,
            token.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        self.gate = gateID
        self.subject = parsed
        self.token = token
    }

    /// What the link proves: its token, for the desk to check against the gate's secret.
    var credential: ApprovalCredential { .link(token: token) }

    /// A submission of `action` through this link.
    func submission(_ action: ApprovalSubmission.Action) -> ApprovalSubmission {
        ApprovalSubmission(gate: gate, subject: subject, credential: credential, action: action)
    }
}

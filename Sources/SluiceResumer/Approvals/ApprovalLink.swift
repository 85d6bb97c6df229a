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

    /// Whether the token was minted for this subject from the gate's secret (constant-time).
    func isAuthentic(for gate: GateRecord) -> Bool {
        GateSecret.verify(token: token, subject: subject.signedText, secret: gate.secret)
    }
}

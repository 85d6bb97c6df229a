import Foundation
public import SluiceCore
public import SluiceStore

/// What a submission asks `record_approval` to record, decided from a snapshot of its gate before
/// anything is written — the same for a link and for `sluice resume`. It holds when:
///
/// - the gate still takes decisions (pending, or open and before its deadline on Redis's clock);
/// - a rejection through a link is offered by the gate (not with `hide_cancel`);
/// - an approval's payload satisfies the gate's ``ApprovalForm`` (types, static and dynamic enums,
///   required strings not empty); a rejection's reason is trimmed and capped.
///
/// What needs Redis's state at the moment of writing — the identity rules (self-approval, groups,
/// anonymous links), one decision per identity, the quorum, and the state and deadline again — is
/// checked by `record_approval` in the same script that writes.
public struct ApprovalDecision: Sendable, Equatable {
    public let reject: Bool
    /// The checked payload, defaults filled in (empty for a rejection).
    public let payload: JSONValue
    public let reason: String?

    /// The longest reason kept, in characters.
    public static let reasonLimit = 2000

    public init(_ submission: ApprovalSubmission, gate: GateRecord) throws(ApprovalRefusal) {
        guard gate.isAcceptingDecisions else { throw .closed(state: gate.currentState) }
        switch submission.action {
        case .approve(let given):
            reject = false
            payload = try ApprovalForm(gate: gate).payload(given)
            reason = nil
        case .reject(let given):
            if gate.hideCancel, submission.credential.channel.honoursHideCancel {
                throw .forbidden("this gate takes no rejections through its links (hide_cancel)")
            }
            reject = true
            payload = .emptyObject
            let trimmed = given?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            reason = trimmed.isEmpty ? nil : String(trimmed.prefix(Self.reasonLimit))
        }
    }
}

import SluiceCore
public import SluiceRedis
public import SluiceStore

/// What an approver's inbox lists: every open gate where that name may still decide — the gate
/// takes decisions now, the name has not decided it yet, the flow was not started by that name
/// when the gate disables self-approval, and the name is in one of the gate's groups when it
/// names any — each with the approval page minted for that name. Read-only; `record_approval`
/// checks the same rules again when the approver acts.
public enum ApproverInbox {
    /// One gate the approver may decide, and their link to it.
    public struct Entry: Sendable {
        public var gate: GateRecord
        public var approvalPage: String
    }

    /// The gates `name` may decide, nearest deadline first, with links under `base` (the prefix's link base).
    public static func entries(for name: String, base: String, keys: KeySpace, on connection: RedisConnection) throws(RedisError) -> [Entry] {
        let gates = try GateStore(keys: keys).openGates(limit: 1000, on: connection)
        var members: [String: Set<String>] = [:]
        if gates.contains(where: { !$0.groups.isEmpty }) {
            for group in try GroupStore(keys: keys).list(on: connection) { members[group.name] = Set(group.members) }
        }
        return gates.filter { gate in
            guard gate.isAcceptingDecisions else { return false }
            if gate.approvals.contains(where: { $0.approver == name }) || gate.rejections.contains(where: { $0.approver == name }) { return false }
            if gate.selfApprovalDisabled, gate.createdBy == name { return false }
            if !gate.groups.isEmpty, !gate.groups.contains(where: { members[$0]?.contains(name) == true }) { return false }
            return true
        }.map { gate in
            let links = ResumeLinks(
                publicURL: base, gate: gate.id.rawValue, subject: .named(name), mintingKey: GateSecret.mintingKey(secret: gate.secret))
            return Entry(gate: gate, approvalPage: links.approvalPage)
        }
    }
}

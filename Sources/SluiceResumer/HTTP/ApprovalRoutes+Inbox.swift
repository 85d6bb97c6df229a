import Hummingbird
import SluiceApprovals
import SluiceCore
import SluiceRedis
import SluiceStore

extension ApprovalRoutes {
    /// GET on an approver's inbox link (`inbox/<subject>/<token>`, minted by `sluice inbox link
    /// NAME`): every open gate that name may still decide, each linking to the approval page made
    /// for that name — nothing else (no operator pages). A forged, edited or revoked link
    /// answers as an unknown one (404). A GET changes nothing.
    func inbox(_ request: Request, _ context: some RequestContext) async -> Response {
        let style = ResponseStyle(request)
        guard let segment = context.parameters.get("subject"), let token = context.parameters.get("token"),
            case .named(let name)? = ResumeLinkSubject(pathSegment: segment)
        else {
            return message(.notFound, "Link not valid", "This inbox link is unknown, mistyped, forged or revoked.", style)
        }
        let keys = jobs.keys
        let base = publicURL
        do {
            let entries = try await pool.run { connection -> [ApproverInbox.Entry]? in
                guard try InboxStore(keys: keys).verify(token: token, name: name, on: connection) else { return nil }
                return try ApproverInbox.entries(for: name, base: base, keys: keys, on: connection)
            }
            guard let entries else {
                return message(.notFound, "Link not valid", "This inbox link is unknown, mistyped, forged or revoked.", style)
            }
            if style == .json {
                return .json(
                    .ok,
                    [
                        "approver": .string(name),
                        "gates": .array(
                            entries.map { entry in
                                [
                                    "gate": .string(entry.gate.id.rawValue), "flow": .string(entry.gate.flowPath ?? ""),
                                    "step": .string(entry.gate.moduleID), "approvals": .number(Double(entry.gate.approvals.count)),
                                    "required": .number(Double(entry.gate.required)),
                                    "deadline": entry.gate.deadline.map { .number(Double($0)) } ?? .null, "url": .string(entry.approvalPage),
                                ]
                            }),
                    ])
            }
            return .html(.ok, pages.inbox(name: name, entries: entries))
        } catch {
            return message(.serviceUnavailable, "Try again shortly", "Sluice cannot reach its store right now.", style)
        }
    }
}

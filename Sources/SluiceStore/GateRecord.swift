public import SluiceCore

/// An approval gate as stored: its rules, its state and what approvers did.
public struct GateRecord: Sendable, Equatable {
    /// The gate's id: the id of the step job that opens it.
    public var id: JobID
    public var flowID: JobID
    public var moduleID: String
    /// `pending` (its step's script still runs), `open`, `approved`, `rejected`, `timed_out`,
    /// `closed` (its step failed or the flow moved on) or `canceled`.
    public var state: GateState
    public var required: Int
    public var timeoutSeconds: Int
    public var continueOnDisapproveTimeout: Bool
    public var selfApprovalDisabled: Bool
    public var userAuthRequired: Bool
    public var hideCancel: Bool
    public var groups: [String]
    public var form: JSONValue?
    /// What the step's result asked of the page: `description`, `default_args`, `enums`.
    public var page: JSONValue
    public var createdBy: String?
    public var flowPath: String?
    public var flowSummary: String
    public var moduleSummary: String
    public var openedAt: Int64?
    public var deadline: Int64?
    public var closedAt: Int64?
    public var decidedBy: String?
    /// For a gate inside a loop or branch: its frame (`r.2.17`) and, in a loop, the iteration number.
    public var frame: String?
    public var iteration: Int?
    /// The secret links are derived from. Never shown, never logged.
    public var secret: String
    public var approvals: [ApprovalEntry]
    public var rejections: [ApprovalEntry]
    /// Redis's clock when this record was read (milliseconds since the epoch), when known.
    public var readAt: Int64?

    /// Whether the gate was open but past its deadline when read: the scheduler has not fired it
    /// yet, but it takes no more decisions (`record_approval` times it out).
    public var isPastDeadline: Bool {
        guard state == .open, let deadline, let readAt else { return false }
        return deadline <= readAt
    }

    /// The state as of ``readAt``: ``state``, except `timed_out` for an open gate past its deadline.
    public var currentState: GateState { isPastDeadline ? .timedOut : state }

    /// Whether approvals and rejections are still taken: pending, or open and before its deadline.
    public var isAcceptingDecisions: Bool { state.isAcceptingDecisions && !isPastDeadline }

    init?(fields: [String: String], approvals: [String], rejections: [String], readAt: Int64? = nil) {
        guard let id = fields["id"].flatMap(JobID.init), let flowID = fields["flow_id"].flatMap(JobID.init),
            let state = fields["state"].flatMap(GateState.init(rawValue:)),
            let secret = fields["secret"]
        else { return nil }
        self.id = id
        self.flowID = flowID
        self.state = state
        self.secret = secret
        moduleID = fields["module_id"] ?? ""
        required = fields["required"].flatMap { Int($0) } ?? 1
        timeoutSeconds = fields["timeout_seconds"].flatMap { Int($0) } ?? 1800
        continueOnDisapproveTimeout = fields["continue_on_disapprove_timeout"] == "1"
        selfApprovalDisabled = fields["self_approval_disabled"] == "1"
        userAuthRequired = fields["user_auth_required"] == "1"
        hideCancel = fields["hide_cancel"] == "1"
        groups = (fields["groups"].flatMap { try? JSONValue(parsing: $0) }?.arrayValue ?? []).compactMap(\.stringValue)
        form = fields["form"].flatMap { try? JSONValue(parsing: $0) }
        page = fields["page"].flatMap { try? JSONValue(parsing: $0) } ?? .emptyObject
        createdBy = fields["created_by"]
        flowPath = fields["flow_path"]
        flowSummary = fields["flow_summary"] ?? ""
        moduleSummary = fields["module_summary"] ?? ""
        openedAt = fields["opened_at"].flatMap { Int64($0) }
        deadline = fields["deadline"].flatMap { Int64($0) }
        closedAt = fields["closed_at"].flatMap { Int64($0) }
        decidedBy = fields["decided_by"]
        frame = fields["frame"]
        iteration = fields["iteration"].flatMap { Int($0) }
        self.approvals = approvals.compactMap { try? JSONValue(parsing: $0) }.compactMap(ApprovalEntry.init(json:))
        self.rejections = rejections.compactMap { try? JSONValue(parsing: $0) }.compactMap(ApprovalEntry.init(json:))
        self.readAt = readAt
    }
}

/// One approval or rejection: who, when, how, with what.
public struct ApprovalEntry: Sendable, Equatable {
    public var approver: String
    public var payload: JSONValue
    /// Milliseconds since the epoch, on Redis's clock (set by `record_approval`).
    public var at: Int64
    /// `link` (through a resume link) or `operator` (`sluice resume`).
    public var via: String
    public var reason: String?

    public init(approver: String, payload: JSONValue, at: Int64, via: String, reason: String? = nil) {
        self.approver = approver
        self.payload = payload
        self.at = at
        self.via = via
        self.reason = reason
    }

    public init?(json: JSONValue) {
        guard let approver = json["approver"]?.stringValue else { return nil }
        self.init(
            approver: approver, payload: json["payload"] ?? .emptyObject, at: Int64(json["at"]?.numberValue ?? 0),
            via: json["via"]?.stringValue ?? "link", reason: json["reason"]?.stringValue)
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("approver", .string(approver)), ("payload", payload), ("at", .number(Double(at))), ("via", .string(via)),
        ]
        if let reason { members.append(("reason", .string(reason))) }
        return JSONValue(members: members)
    }
}

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

    /// The fields of a gate's hash (`P:gate:<id>`), as stored: its rules, written with its step,
    /// then where it stands. The Lua prelude carries them as `GATE.<stored name>`.
    public enum Field: String, CaseIterable, Sendable {
        case id
        case flowID = "flow_id"
        case moduleID = "module_id"
        /// ``GateState``.
        case state
        case secret
        case createdAt = "created_at"
        case timeoutSeconds = "timeout_seconds"
        case required
        case continueOnDisapproveTimeout = "continue_on_disapprove_timeout"
        case selfApprovalDisabled = "self_approval_disabled"
        case userAuthRequired = "user_auth_required"
        case hideCancel = "hide_cancel"
        case groups
        case form
        case page
        case createdBy = "created_by"
        case flowPath = "flow_path"
        case flowSummary = "flow_summary"
        case moduleSummary = "module_summary"
        case frame
        case iteration
        case openedAt = "opened_at"
        case deadline
        case closedAt = "closed_at"
        case decidedBy = "decided_by"
        /// A rejection sent while the gate was pending: who sent it and why (it decides the gate
        /// when the flow parks).
        case pendingRejectionBy = "pending_rejection_by"
        case pendingRejectionReason = "pending_rejection_reason"
    }

    init?(fields: [String: String], approvals: [String], rejections: [String], readAt: Int64? = nil) {
        guard let id = fields[Field.id.rawValue].flatMap(JobID.init), let flowID = fields[Field.flowID.rawValue].flatMap(JobID.init),
            let state = fields[Field.state.rawValue].flatMap(GateState.init(rawValue:)),
            let secret = fields[Field.secret.rawValue]
        else { return nil }
        self.id = id
        self.flowID = flowID
        self.state = state
        self.secret = secret
        moduleID = fields[Field.moduleID.rawValue] ?? ""
        required = fields[Field.required.rawValue].flatMap { Int($0) } ?? 1
        timeoutSeconds = fields[Field.timeoutSeconds.rawValue].flatMap { Int($0) } ?? 1800
        continueOnDisapproveTimeout = fields[Field.continueOnDisapproveTimeout.rawValue] == "1"
        selfApprovalDisabled = fields[Field.selfApprovalDisabled.rawValue] == "1"
        userAuthRequired = fields[Field.userAuthRequired.rawValue] == "1"
        hideCancel = fields[Field.hideCancel.rawValue] == "1"
        groups = (fields[Field.groups.rawValue].flatMap { try? JSONValue(parsing: $0) }?.arrayValue ?? []).compactMap(\.stringValue)
        form = fields[Field.form.rawValue].flatMap { try? JSONValue(parsing: $0) }
        page = fields[Field.page.rawValue].flatMap { try? JSONValue(parsing: $0) } ?? .emptyObject
        createdBy = fields[Field.createdBy.rawValue]
        flowPath = fields[Field.flowPath.rawValue]
        flowSummary = fields[Field.flowSummary.rawValue] ?? ""
        moduleSummary = fields[Field.moduleSummary.rawValue] ?? ""
        openedAt = fields[Field.openedAt.rawValue].flatMap { Int64($0) }
        deadline = fields[Field.deadline.rawValue].flatMap { Int64($0) }
        closedAt = fields[Field.closedAt.rawValue].flatMap { Int64($0) }
        decidedBy = fields[Field.decidedBy.rawValue]
        frame = fields[Field.frame.rawValue]
        iteration = fields[Field.iteration.rawValue].flatMap { Int($0) }
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

public import SluiceCore

/// `suspend`: after its module runs, the flow waits for approvals (Windmill's field names).
public struct SuspendSettings: Sendable, Equatable {
    /// Distinct approvals needed to resume (default 1).
    public var requiredEvents: Int
    /// Seconds to wait, counted from when the flow parks (default 1800).
    public var timeoutSeconds: Int
    /// A rejection or the timeout lets the flow go on (with `resume.error` telling which) instead of canceling it.
    public var continueOnDisapproveTimeout: Bool
    /// JSON Schema of what approvers fill in.
    public var resumeFormSchema: JSONValue?
    /// The person who started the flow cannot approve it.
    public var selfApprovalDisabled: Bool
    /// Only identified approvers count.
    public var userAuthRequired: Bool
    /// Only members of these groups count (a static list, or an expression giving one).
    public var userGroupsRequired: InputTransform?
    /// The approval page shows no Reject button.
    public var hideCancel: Bool

    public init(
        requiredEvents: Int = 1,
        timeoutSeconds: Int = 1800,
        continueOnDisapproveTimeout: Bool = false,
        resumeFormSchema: JSONValue? = nil,
        selfApprovalDisabled: Bool = false,
        userAuthRequired: Bool = false,
        userGroupsRequired: InputTransform? = nil,
        hideCancel: Bool = false
    ) {
        self.requiredEvents = requiredEvents
        self.timeoutSeconds = timeoutSeconds
        self.continueOnDisapproveTimeout = continueOnDisapproveTimeout
        self.resumeFormSchema = resumeFormSchema
        self.selfApprovalDisabled = selfApprovalDisabled
        self.userAuthRequired = userAuthRequired
        self.userGroupsRequired = userGroupsRequired
        self.hideCancel = hideCancel
    }
}

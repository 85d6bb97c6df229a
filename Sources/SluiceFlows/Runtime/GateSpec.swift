/// A module's gate: its settings, with `user_groups_required` resolved as the step starts.
public struct GateSpec: Sendable, Equatable {
    public var settings: SuspendSettings
    public var requiredGroups: [String]
    /// For the approval page: the flow's and the module's summaries.
    public var flowSummary: String
    public var moduleSummary: String

    public init(settings: SuspendSettings, requiredGroups: [String], flowSummary: String, moduleSummary: String) {
        self.settings = settings
        self.requiredGroups = requiredGroups
        self.flowSummary = flowSummary
        self.moduleSummary = moduleSummary
    }
}

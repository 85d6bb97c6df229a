public import SluiceCore

/// The gate to open: the module that just finished parks its frame.
public struct GatePlan: Sendable, Equatable {
    public var moduleID: String
    public var settings: SuspendSettings
    /// What the module's result asks of the approval page: `description` (markdown),
    /// `default_args` and `enums` — Windmill's "default args" and "dynamic enums".
    public var page: JSONValue

    public init(moduleID: String, settings: SuspendSettings, page: JSONValue) {
        self.moduleID = moduleID
        self.settings = settings
        self.page = page
    }
}

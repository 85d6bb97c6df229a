public import Foundation
public import SluiceCore

/// A script in a workspace folder: `f/ops/restart.py` and its `f/ops/restart.script.yaml`.
public struct WorkspaceScript: Sendable {
    public var path: ScriptPath
    /// The code file, relative to the folder.
    public var file: String
    public var language: ScriptLanguage
    public var content: String
    public var summary: String
    /// Windmill's lock of a TypeScript script (its `.script.lock` file), whose pinned versions
    /// are kept when the script is locked; `nil` when there is none.
    public var windmillLock: String? = nil
}

/// A flow in a workspace folder: a `name.flow/` (or `name__flow/`) folder, or a legacy single file.
public struct WorkspaceFlow: Sendable {
    public var path: ScriptPath
    /// The folder or legacy file, relative to the workspace folder.
    public var file: String
    public var text: String
    /// Where its `!inline` files are.
    public var folder: URL
    /// The flows it calls as subflows (`type: flow` modules), for the push order.
    public var subflows: Set<String>
}

/// A schedule (`name.schedule.yaml`), as Windmill writes it: `schedule`, `script_path`, `args`...
public struct WorkspaceSchedule: Sendable {
    public var name: String
    public var file: String
    public var document: JSONValue
}

/// A resource (`name.resource.yaml`): its type, value and description.
public struct WorkspaceResource: Sendable {
    public var path: ScriptPath
    public var file: String
    public var type: String
    public var value: JSONValue
    public var description: String
}

/// A variable (`name.variable.yaml`). A secret's value is in the folder only when it was pulled
/// with plain secrets (Windmill otherwise writes its workspace ciphertext, or nothing).
public struct WorkspaceVariable: Sendable {
    public var path: ScriptPath
    public var file: String
    public var isSecret: Bool
    /// The plain value: for a secret, only with `plainSecrets: true` in wmill.yaml.
    public var value: String?
    public var description: String
}

/// What a workspace folder holds: the items a push imports, the files it leaves and why, and the
/// warnings about fields Sluice does not honour.
public struct WorkspaceContents: Sendable {
    public var scripts: [WorkspaceScript] = []
    public var flows: [WorkspaceFlow] = []
    public var schedules: [WorkspaceSchedule] = []
    public var resources: [WorkspaceResource] = []
    public var variables: [WorkspaceVariable] = []
    /// Files recognised but not imported, each with the reason.
    public var left: [(file: String, reason: String)] = []
    /// Fields read but not honoured, naming the file.
    public var warnings: [String] = []
    /// Files that cannot be read as what their name says: a push refuses the whole folder while there is one.
    public var problems: [String] = []

    public init() {}
}

public import SluiceCore
public import SluiceFlows

/// What a workspace folder's `wmill.yaml` says about syncing it, with `wmill`'s defaults for what
/// it leaves out (no file at all: every default). Only the keys that choose what is read and how
/// files are named matter here; the others (branches, base URLs, lint, promotion) are for `wmill`.
public struct WorkspaceSettings: Sendable, Equatable {
    /// A path is synced when it matches one of these…
    public var includes: [PathPattern] = [PathPattern("f/**")]
    /// …none of these…
    public var excludes: [PathPattern] = []
    /// …and, when there are any, one of these.
    public var extraIncludes: [PathPattern] = []
    /// The TypeScript runtime a plain `.ts` file is for (`bun` by default, else `deno`); both run on Deno here.
    public var defaultTypeScript = "bun"
    /// Flows in `name__flow/` folders instead of `name.flow/`.
    public var nonDottedPaths = false
    public var skipScripts = false
    public var skipFlows = false
    public var skipVariables = false
    public var skipResources = false
    /// Secret variables are left out of a pull, and a push never reads their values.
    public var skipSecrets = true
    /// Secret values in the folder are plain text (`wmill sync pull --plain-secrets`), not Windmill's ciphertext.
    public var plainSecrets = false
    /// Schedules are synced only when this is on, as with `wmill`.
    public var includeSchedules = false
    public var includeTriggers = false

    public init() {}

    /// The settings `text` (a `wmill.yaml`) holds. Unknown keys are `wmill`'s business and are not read.
    public init(yaml text: String) throws(FlowFormatError) {
        let document = try YAMLDocument.parse(text)
        guard document.objectValue != nil || document.isNull else { throw FlowFormatError(at: "wmill.yaml", "expected a mapping") }
        func patterns(_ key: String) throws(FlowFormatError) -> [PathPattern]? {
            guard let value = document[key], !value.isNull else { return nil }
            guard let list = value.arrayValue else { throw FlowFormatError(at: "wmill.yaml.\(key)", "expected a list of path patterns") }
            var result: [PathPattern] = []
            for item in list {
                guard let pattern = item.stringValue else { throw FlowFormatError(at: "wmill.yaml.\(key)", "expected a list of path patterns") }
                result.append(PathPattern(pattern))
            }
            return result
        }
        func flag(_ key: String, _ current: Bool) throws(FlowFormatError) -> Bool {
            guard let value = document[key], !value.isNull else { return current }
            guard let flag = value.boolValue else { throw FlowFormatError(at: "wmill.yaml.\(key)", "expected true or false") }
            return flag
        }
        if let includes = try patterns("includes") { self.includes = includes }
        excludes = try patterns("excludes") ?? []
        extraIncludes = try patterns("extraIncludes") ?? []
        if let runtime = document["defaultTs"]?.stringValue { defaultTypeScript = runtime }
        nonDottedPaths = try flag("nonDottedPaths", nonDottedPaths)
        skipScripts = try flag("skipScripts", skipScripts)
        skipFlows = try flag("skipFlows", skipFlows)
        skipVariables = try flag("skipVariables", skipVariables)
        skipResources = try flag("skipResources", skipResources)
        skipSecrets = try flag("skipSecrets", skipSecrets)
        plainSecrets = try flag("plainSecrets", plainSecrets)
        includeSchedules = try flag("includeSchedules", includeSchedules)
        includeTriggers = try flag("includeTriggers", includeTriggers)
    }

    /// Whether the file at `path` (relative to the folder) is synced, as `wmill sync` decides.
    public func includes(_ path: String) -> Bool {
        includes.contains { $0.matches(path) } && !excludes.contains { $0.matches(path) }
            && (extraIncludes.isEmpty || extraIncludes.contains { $0.matches(path) })
    }

    /// The `wmill.yaml` a pull writes into a folder that has none: these settings, for the paths in use.
    public var yaml: JSONValue {
        JSONValue(members: [
            ("defaultTs", .string(defaultTypeScript)),
            ("includes", .array(includes.map { .string($0.description) })),
            ("excludes", .array(excludes.map { .string($0.description) })),
            ("nonDottedPaths", .bool(nonDottedPaths)),
            ("skipSecrets", .bool(skipSecrets)),
            ("includeSchedules", .bool(includeSchedules)),
        ])
    }
}

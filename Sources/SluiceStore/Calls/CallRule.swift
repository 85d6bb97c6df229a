public import SluiceCore

/// What a running job may do to other scripts' things through its channel, decided from paths
/// alone (pure; docs/security.md, "Scripts that run scripts").
///
/// - **Start** a script or flow: one in its own folder — the first two segments of one of its
///   paths (`f/ops/report` may start `f/ops/anything`, `u/alice/x` may start `u/alice/y`) — or one
///   whose callers rule (`sluice script callers PATH --allow PREFIX`) names a prefix of one of its
///   paths. The job it starts runs with that script's own rights, never the caller's.
/// - **Write** a variable or resource: only in its own folder, and — for one that exists — only
///   when its access rule lets the job read it. What a job creates is readable by its folder only.
public enum CallRule {
    /// The folder a path is in, as an access-rule prefix: its first two segments and `/`
    /// (`f/ops/report` → `f/ops/`); a two-segment path is its own folder.
    public static func folder(of path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return segments.prefix(2).joined(separator: "/") + "/"
    }

    /// Whether `caller` may start the script or flow at `target`, whose callers rule is `callers`
    /// (`nil`: it has none, so only its own folder may start it).
    public static func mayStart(_ target: String, caller: Caller, callers: AccessRule?) -> Bool {
        if caller.paths.contains(where: { AccessRule.path(target, isUnder: folder(of: $0)) }) { return true }
        guard let callers, !callers.prefixes.isEmpty else { return false }
        return callers.allows(caller)
    }

    /// Why `caller` may not start `target`, for its error.
    public static func startRefusal(_ target: String, caller: Caller) -> String {
        "permission denied: \(caller) may start scripts and flows of its own folder (\(caller.paths.map(folder(of:)).joined(separator: ", "))) "
            + "and those whose callers rule names it; '\(target)' is neither (sluice script callers \(target) --allow PREFIX)"
    }

    /// Whether `caller` may write the variable or resource at `path`, whose access rule (when it
    /// exists) is `existing`.
    public static func mayWrite(_ path: String, caller: Caller, existing: AccessRule?) -> Bool {
        guard caller.paths.contains(where: { AccessRule.path(path, isUnder: folder(of: $0)) }) else { return false }
        return existing?.allows(caller) ?? true
    }

    /// The access rule of a variable or resource a job creates: its own folder (the first of its paths').
    public static func ruleForCreated(by caller: Caller) -> AccessRule {
        AccessRule(prefixes: caller.paths.first.map { [folder(of: $0)] } ?? [])
    }
}

/// Paths of Windmill Hub scripts and flows (`hub/<version>/<app>/<name>`): Windmill fetches them
/// from hub.windmill.dev when a step runs; Sluice does not reach out for code. Such a path works
/// here once the script (or flow) is pushed under it.
public enum HubPath {
    /// Whether `path` names a Hub script or flow.
    public static func isHub(_ path: String) -> Bool {
        path.hasPrefix("hub/")
    }

    /// What to say about a Hub path with nothing stored under it (at push, and when the step fails).
    public static func notStored(_ path: String) -> String {
        "\(path) is a Windmill Hub script, which Sluice does not fetch: bring it into the workspace "
            + "(copy its code from hub.windmill.dev and push it under this path: sluice script push \(path) FILE, or sluice flow push for a Hub flow), "
            + "or the step fails"
    }
}

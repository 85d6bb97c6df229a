/// The job asking for a variable or resource, by the paths the access rules are checked against:
/// a script job's script path; for a flow step, the step's own path (a rawscript's is
/// `<flow path>/<module id>`, a `type: script` module's the script's) and its flow's path.
public struct Caller: Sendable, Hashable, CustomStringConvertible {
    public var paths: [String]

    public init(paths: [String]) {
        var unique: [String] = []
        for path in paths where !path.isEmpty && !unique.contains(path) { unique.append(path) }
        self.paths = unique
    }

    public var description: String {
        paths.isEmpty ? "a job without a path" : paths.joined(separator: " in ")
    }
}

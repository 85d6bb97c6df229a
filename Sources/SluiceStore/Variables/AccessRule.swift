public import SluiceCore

/// Who may read a variable or resource: the path prefixes of the scripts and flows allowed to
/// (`--allow f/payments/`), or every job when there are none.
///
/// A prefix names a folder and everything under it: `f/payments/` and `f/payments` both allow
/// `f/payments/refund` (and the path `f/payments` itself), never `f/payments-old/x`.
public struct AccessRule: Sendable, Equatable {
    /// The allowed prefixes as given; empty: every job may read.
    public let prefixes: [String]

    /// Every job may read.
    public static let everyone = AccessRule(prefixes: [])

    public init(prefixes: [String]) {
        self.prefixes = prefixes
    }

    /// Whether some path of `caller` is under an allowed prefix (always, without prefixes).
    public func allows(_ caller: Caller) -> Bool {
        guard !prefixes.isEmpty else { return true }
        return caller.paths.contains { path in prefixes.contains { Self.path(path, isUnder: $0) } }
    }

    /// Whether `path` is `prefix` itself or inside the folder it names.
    public static func path(_ path: String, isUnder prefix: String) -> Bool {
        let folder = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        guard !folder.isEmpty else { return false }
        return path == folder || path.hasPrefix(folder + "/")
    }

    /// Whether `prefix` may be given: a path's first segments, with or without the final `/`.
    public static func isValidPrefix(_ prefix: String) -> Bool {
        let folder = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        guard !folder.isEmpty else { return false }
        // A single segment (`f`, `u`) is a valid folder too: check it as if one more segment followed.
        return ScriptPath(folder + "/x") != nil
    }

    /// The rule as stored: a JSON array of the prefixes.
    var json: String { JSONValue.array(prefixes.map { .string($0) }).jsonText }

    /// The rule stored as `text` (the `allow` field); every job when there is none.
    init(stored text: String?) {
        guard let text, let value = try? JSONValue(parsing: text), let elements = value.arrayValue else {
            self.init(prefixes: [])
            return
        }
        self.init(prefixes: elements.compactMap(\.stringValue))
    }
}

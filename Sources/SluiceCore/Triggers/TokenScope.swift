/// What a trigger token may do: start scripts and flows whose path matches, and read the runs it
/// may start. Written as Sluice's `run:PATTERN` or as Windmill's token scopes:
///
/// - `run:f/ops/deploy` (that path), `run:f/ops/*` (everything under `f/ops/`), `run:*` (any path);
/// - `jobs:run` (anything), `jobs:run:scripts` / `jobs:run:flows` (any script / any flow),
///   `jobs:run:scripts:f/a/*,f/b/x` (those scripts), likewise for flows.
public struct TokenScope: Sendable, Hashable, CustomStringConvertible {
    /// What kind of runnable the scope covers.
    public enum Kind: String, Sendable, Hashable {
        case any
        case scripts
        case flows
    }

    public let kind: Kind
    /// Path patterns: exact, a prefix ending in `*`, or `*`.
    public let patterns: [String]
    public let description: String

    /// Reads a scope; `nil` for any other form.
    public init?(_ text: String) {
        var kind = Kind.any
        var patterns: [String]
        if text.hasPrefix("run:") {
            patterns = [String(text.dropFirst(4))]
        } else if text == "jobs:run" {
            patterns = ["*"]
        } else if text.hasPrefix("jobs:run:") {
            let rest = text.dropFirst("jobs:run:".count).split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let kindText = rest.first, let parsed = Kind(rawValue: String(kindText)), parsed != .any else { return nil }
            kind = parsed
            patterns = rest.count > 1 ? rest[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : ["*"]
        } else {
            return nil
        }
        guard !patterns.isEmpty, patterns.allSatisfy(Self.isValidPattern) else { return nil }
        self.kind = kind
        self.patterns = patterns
        description = text
    }

    private static func isValidPattern(_ pattern: String) -> Bool {
        !pattern.isEmpty && pattern.utf8.count <= 255 && !pattern.dropLast().contains("*")
            && pattern.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-./*".unicodeScalars.contains($0))
            }
    }

    /// Whether the scope lets its token start `path` (a flow when `isFlow`).
    public func allowsRun(_ path: String, isFlow: Bool) -> Bool {
        switch kind {
        case .scripts where isFlow, .flows where !isFlow: return false
        default: break
        }
        return patterns.contains { pattern in
            pattern.hasSuffix("*") ? path.hasPrefix(pattern.dropLast()) : path == pattern
        }
    }
}

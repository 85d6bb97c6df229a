/// A glob as `wmill.yaml`'s `includes` and `excludes` write them (minimatch's syntax): `**` is any
/// number of whole path segments (none too), `*` any characters but `/`, `?` one such character,
/// `{a,b}` either alternative. Matched against a path relative to the workspace folder.
public struct PathPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let alternatives: [[Substring]]

    public init(_ pattern: String) {
        description = pattern
        let trimmed = pattern.hasPrefix("./") ? String(pattern.dropFirst(2)) : pattern
        alternatives = Self.expandBraces(trimmed).map { $0.split(separator: "/", omittingEmptySubsequences: true) }
    }

    /// Whether `path` (segments separated by `/`) matches.
    public func matches(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return alternatives.contains { Self.match(pattern: $0[...], path: segments[...]) }
    }

    private static func match(pattern: ArraySlice<Substring>, path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            // Zero or more whole segments; minimatch's ** does not match dot-files, which wmill's paths never start with.
            var rest = path
            while true {
                if match(pattern: pattern.dropFirst(), path: rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let segment = path.first, matchSegment(Array(first.unicodeScalars)[...], Array(segment.unicodeScalars)[...]) else { return false }
        return match(pattern: pattern.dropFirst(), path: path.dropFirst())
    }

    private static func matchSegment(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        switch first {
        case "*":
            var rest = text
            while true {
                if matchSegment(pattern.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case "?":
            return !text.isEmpty && matchSegment(pattern.dropFirst(), text.dropFirst())
        default:
            return text.first == first && matchSegment(pattern.dropFirst(), text.dropFirst())
        }
    }

    /// `a/{b,c}/d` as `a/b/d` and `a/c/d` (nested braces expand from the inside out).
    static func expandBraces(_ pattern: String) -> [String] {
        guard let open = pattern.firstIndex(of: "{") else { return [pattern] }
        var depth = 0
        var close: String.Index?
        var commas: [String.Index] = []
        var index = open
        while index < pattern.endIndex {
            switch pattern[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { close = index }
            case "," where depth == 1: commas.append(index)
            default: break
            }
            if close != nil { break }
            index = pattern.index(after: index)
        }
        guard let close, !commas.isEmpty else {
            // Not an alternation ({x} or unbalanced): the brace is a plain character.
            guard let close else { return [pattern] }
            let after = pattern.index(after: close)
            return expandBraces(String(pattern[after...])).map { String(pattern[..<after]) + $0 }
        }
        let prefix = pattern[..<open]
        let suffix = String(pattern[pattern.index(after: close)...])
        var bounds = [pattern.index(after: open)]
        bounds += commas.map { pattern.index(after: $0) }
        var choices: [String] = []
        for (position, start) in bounds.enumerated() {
            let end = position + 1 < bounds.count ? commas[position] : close
            choices.append(String(pattern[start..<end]))
        }
        return choices.flatMap { choice in expandBraces(prefix + choice + suffix) }
    }
}

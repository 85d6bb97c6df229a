/// A route's path as Windmill writes it: segments of letters, digits, `-` and `_`; `:name`
/// matches any one segment; a last `*name` matches the rest of the path (possibly nothing).
/// Leading and trailing `/` do not count.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest(String)
    }

    let segments: [Segment]
    /// The pattern as stored: no leading or trailing `/`.
    public let description: String

    /// Reads a pattern; `nil` (with nothing matched) for anything outside the syntax.
    public init?(_ text: String) {
        let trimmed = text.split(separator: "/", omittingEmptySubsequences: true)
        guard !trimmed.isEmpty, trimmed.count <= 32 else { return nil }
        var segments: [Segment] = []
        for (index, part) in trimmed.enumerated() {
            let isName = { (name: Substring) in
                !name.isEmpty && name.utf8.count <= 64
                    && name.unicodeScalars.allSatisfy {
                        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
                    }
            }
            if part.hasPrefix(":") {
                guard isName(part.dropFirst()) else { return nil }
                segments.append(.parameter(String(part.dropFirst())))
            } else if part.hasPrefix("*") {
                guard index == trimmed.count - 1, isName(part.dropFirst()) else { return nil }
                segments.append(.rest(String(part.dropFirst())))
            } else {
                guard isName(part[...]) || part.contains(".") && isName(Substring(part.replacingDots)) else { return nil }
                segments.append(.literal(String(part)))
            }
        }
        self.segments = segments
        description = trimmed.joined(separator: "/")
    }

    /// The route parameters when `path` matches, in order; `nil` when it does not.
    public func match(_ path: String) -> [(String, String)]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var parameters: [(String, String)] = []
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .rest(let name):
                parameters.append((name, parts.dropFirst(index).joined(separator: "/")))
                return parameters
            case .literal(let text):
                guard index < parts.count, parts[index] == text else { return nil }
            case .parameter(let name):
                guard index < parts.count else { return nil }
                parameters.append((name, String(parts[index])))
            }
        }
        return parts.count == segments.count ? parameters : nil
    }

    /// How specific the pattern is, to pick among several matches: literals before parameters before a rest.
    public var specificity: [Int] {
        segments.map { segment in
            switch segment {
            case .literal: 2
            case .parameter: 1
            case .rest: 0
            }
        }
    }
}

extension Substring {
    fileprivate var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}

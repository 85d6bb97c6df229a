/// The path a script or flow is pushed under, Windmill style: `f/ops/restart`, `u/alice/fix`.
///
/// Segments are letters, digits, `_`, `-` and `.`, separated by `/`; at least two segments.
public struct ScriptPath: Sendable, Hashable, CustomStringConvertible {
    /// The path as typed and stored.
    public let rawValue: String

    /// Validates a path; `nil` when it is empty, has empty segments or characters outside the set.
    public init?(_ text: String) {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, text.utf8.count <= 255 else { return nil }
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != ".." else { return nil }
            for scalar in segment.unicodeScalars {
                guard scalar.isASCII,
                    scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar)
                else { return nil }
            }
        }
        rawValue = text
    }

    public var description: String { rawValue }
}

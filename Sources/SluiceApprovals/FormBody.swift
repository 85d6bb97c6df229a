import Foundation

/// The fields of an `application/x-www-form-urlencoded` body (the approval page's forms), as an
/// ``ApprovalPayload/form(_:)`` carries them.
public enum FormBody {
    /// The name/value pairs, in order, `+` and percent escapes decoded; `nil` when an escape is
    /// malformed or decodes to bytes that are not UTF-8 (refused, never taken as written or
    /// decoded lossily).
    public static func fields(_ body: String) -> [(name: String, value: String)]? {
        var fields: [(name: String, value: String)] = []
        for part in body.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = decode(pieces[0]), let value = pieces.count > 1 ? decode(pieces[1]) : "" else { return nil }
            fields.append((name, value))
        }
        return fields
    }
}

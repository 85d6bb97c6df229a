import Foundation

/// The fields of an `application/x-www-form-urlencoded` body (the approval page's forms), as an
/// ``ApprovalPayload/form(_:)`` carries them.
public enum FormBody {
    /// The name/value pairs, in order, `+` and percent escapes decoded (a malformed escape is kept
    /// as it came).
    public static func fields(_ body: String) -> [(name: String, value: String)] {
        body.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(pieces[0]), pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }
}

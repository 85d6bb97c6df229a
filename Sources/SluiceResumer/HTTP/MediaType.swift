/// A media type as a `Content-Type` or `Accept` element gives it (RFC 9110 §8.3.1):
/// `type/subtype`, compared case-insensitively, then `;`-separated `name=value` parameters.
/// Anything else — a missing subtype, characters outside tokens, a stray suffix — is not a media
/// type, so `application/jsonX` or `application/x-www-form-urlencodedx` match nothing.
struct MediaType: Equatable {
    /// Lowercased.
    let type: String
    /// Lowercased.
    let subtype: String
    /// Parameter names lowercased; values as given (quotes removed).
    let parameters: [String: String]

    static let json = MediaType(type: "application", subtype: "json")
    static let form = MediaType(type: "application", subtype: "x-www-form-urlencoded")

    init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    init?(_ text: String) {
        var pieces = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingOptionalWhitespace() }
        let essence = pieces.removeFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard essence.count == 2, Self.isToken(essence[0]), Self.isToken(essence[1]) else { return nil }
        var parameters: [String: String] = [:]
        for piece in pieces where !piece.isEmpty {
            let pair = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, Self.isToken(pair[0]) else { return nil }
            var value = pair[1]
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            } else if !Self.isToken(value) {
                return nil
            }
            parameters[pair[0].lowercased()] = String(value)
        }
        self.init(type: essence[0].lowercased(), subtype: essence[1].lowercased(), parameters: parameters)
    }

    /// Whether this is `other`'s type and subtype, whatever the parameters.
    func matches(_ other: MediaType) -> Bool {
        type == other.type && subtype == other.subtype
    }

    /// Whether the body is text Sluice can read: no `charset`, or UTF-8 (or its subset US-ASCII).
    var isUTF8: Bool {
        guard let charset = parameters["charset"]?.lowercased() else { return true }
        return ["utf-8", "utf8", "us-ascii"].contains(charset)
    }

    private static let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)

    /// The characters of a token (RFC 9110 §5.6.2).
    private static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || tokenSymbols.contains(byte)
            }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate func trimmingOptionalWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}

import Foundation
import SluiceCore

/// Who a resume link speaks for: a named approver, or an anonymous link (each its own nonce).
public enum ResumeLinkSubject: Sendable, Equatable {
    case named(String)
    case anonymous(nonce: String)

    /// What the token signs: `user:<name>` or `link:<nonce>`.
    public var signedText: String {
        switch self {
        case .named(let name): "user:" + name
        case .anonymous(let nonce): "link:" + nonce
        }
    }

    /// Who counts once: the name, or the link.
    public var identity: String { signedText }

    /// The name shown and handed to later steps as an approver.
    public var approverName: String {
        switch self {
        case .named(let name): name
        case .anonymous: "anonymous"
        }
    }

    public var isAnonymous: Bool {
        if case .anonymous = self { return true }
        return false
    }

    /// The link's path segment: `u.<base64url(name)>` or `a.<nonce>`.
    public var pathSegment: String {
        switch self {
        case .named(let name): "u." + Base64URL.encode(Array(name.utf8))
        case .anonymous(let nonce): "a." + nonce
        }
    }

    /// Reads a path segment; `nil` when it is not one. Each subject has one spelling: a name in
    /// canonical base64url, a nonce in 32 lowercase hex digits.
    public init?(pathSegment: String) {
        if pathSegment.hasPrefix("u."), let bytes = Base64URL.decode(String(pathSegment.dropFirst(2))),
            let name = String(bytes: bytes, encoding: .utf8), !name.isEmpty, name.count <= 200
        {
            self = .named(name)
        } else if pathSegment.hasPrefix("a."), pathSegment.utf8.count == 34,
            pathSegment.utf8.dropFirst(2).allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        {
            self = .anonymous(nonce: String(pathSegment.dropFirst(2)))
        } else {
            return nil
        }
    }

    /// A new anonymous subject with a random 128-bit nonce.
    public static func newAnonymous() -> ResumeLinkSubject {
        var generator = SystemRandomNumberGenerator()
        return .anonymous(nonce: Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }
}

/// The three links of one approver for one gate — Windmill's `approvalPage`, `resume`, `cancel`:
/// `<public>/approvals/<gate>/<subject>/<token>` and its `/resume` and `/cancel` actions.
public struct ResumeLinks: Sendable, Equatable {
    public var approvalPage: String
    public var resume: String
    public var cancel: String

    public init(publicURL: String, gate: String, subject: ResumeLinkSubject, mintingKey: [UInt8]) {
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        let token = GateSecret.token(mintingKey: mintingKey, subject: subject.signedText)
        approvalPage = "\(base)/approvals/\(gate)/\(subject.pathSegment)/\(token)"
        resume = approvalPage + "/resume"
        cancel = approvalPage + "/cancel"
    }

    /// As the JSON scripts receive: `{"approvalPage": ..., "resume": ..., "cancel": ...}`.
    public var json: String {
        JSONValue(members: [("approvalPage", .string(approvalPage)), ("resume", .string(resume)), ("cancel", .string(cancel))]).jsonText
    }
}

/// URL-safe base64 without padding (RFC 4648 §5), decoded canonically: a text is accepted only if
/// it is exactly what ``encode(_:)`` makes of its bytes — no padding, no stray trailing bits —
/// so each name has one spelling in a link.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of a canonical encoding; `nil` for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 400, text.utf8.count % 4 != 1,
            text.utf8.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        let bytes = Array(data)
        return encode(bytes) == text ? bytes : nil
    }
}

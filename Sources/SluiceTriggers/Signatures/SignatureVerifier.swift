import Crypto
import Foundation
import SluiceCore
public import SluiceStore

/// Checks a sender's HMAC-SHA256 signature over a request's raw body, in the sender's style
/// (``SignatureCheck/Style``), comparing in constant time. Stripe and Slack signatures carry a
/// timestamp: one more than five minutes from now is refused, so a captured request cannot be
/// replayed later (Windmill does not check it; this is stricter on purpose).
public enum SignatureVerifier {
    /// How far a signed timestamp may be from now.
    public static let tolerance: Int64 = 300

    /// Why a signature is refused (the answer says only that it is; the reason is logged).
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case missing(String)
        case malformed(String)
        case stale
        case mismatch

        public var description: String {
            switch self {
            case .missing(let header): "missing header \(header)"
            case .malformed(let header): "malformed header \(header)"
            case .stale: "the signed timestamp is more than 5 minutes from now"
            case .mismatch: "signature invalid"
            }
        }
    }

    /// Checks `request` against `check` with `secret`; `now` in seconds since the epoch.
    public static func verify(_ request: TriggerRequest, check: SignatureCheck, secret: String, now: Int64) throws(Refusal) {
        guard let signature = request.header(check.header) else { throw .missing(check.header) }
        let key = SymmetricKey(data: Array(secret.utf8))
        switch check.style {
        case .github, .hex:
            let hex = signature.hasPrefix("sha256=") ? String(signature.dropFirst(7)) : signature
            try compare(hex: hex, over: request.body, key: key)
        case .stripe:
            var timestamp: String?
            var candidates: [String] = []
            for part in signature.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                if pair[0] == "t" { timestamp = String(pair[1]) }
                if pair[0] == "v1" { candidates.append(String(pair[1])) }
            }
            guard let timestamp, let seconds = Int64(timestamp), !candidates.isEmpty else { throw .malformed(check.header) }
            guard abs(now - seconds) <= tolerance else { throw .stale }
            let signed = Array("\(timestamp).".utf8) + request.body
            guard candidates.contains(where: { (try? compare(hex: $0, over: signed, key: key)) != nil }) else { throw .mismatch }
        case .slack:
            guard let timestamp = request.header("X-Slack-Request-Timestamp") else { throw .missing("X-Slack-Request-Timestamp") }
            guard let seconds = Int64(timestamp) else { throw .malformed("X-Slack-Request-Timestamp") }
            guard abs(now - seconds) <= tolerance else { throw .stale }
            guard signature.hasPrefix("v0=") else { throw .malformed(check.header) }
            try compare(hex: String(signature.dropFirst(3)), over: Array("v0:\(timestamp):".utf8) + request.body, key: key)
        }
    }

    private static func compare(hex: String, over message: [UInt8], key: SymmetricKey) throws(Refusal) {
        guard let given = Hex.decode(hex.lowercased()), given.count == 32 else { throw .mismatch }
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: key) else { throw .mismatch }
    }

    /// The signature `check.style` expects for `body` (for tests and the demo's sender).
    public static func sign(_ body: [UInt8], secret: String, style: SignatureCheck.Style, timestamp: Int64) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        func hex(_ message: [UInt8]) -> String { Hex.encode(HMAC<SHA256>.authenticationCode(for: message, using: key)) }
        switch style {
        case .github: return "sha256=" + hex(body)
        case .hex: return hex(body)
        case .stripe: return "t=\(timestamp),v1=" + hex(Array("\(timestamp).".utf8) + body)
        case .slack: return "v0=" + hex(Array("v0:\(timestamp):".utf8) + body)
        }
    }
}

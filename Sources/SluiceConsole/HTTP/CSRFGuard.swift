import Crypto
import Foundation

/// CSRF tokens for the console's forms: HMAC-SHA256 under a key drawn at start-up (256 bits,
/// never stored or sent) over the session the form belongs to (`loopback` when no operator
/// tokens are in use). Another site's page cannot read the console's pages, so it cannot learn a
/// token; every state-changing request must carry one, checked in constant time. A restart
/// draws a new key: forms rendered before it are refused and shown again.
struct CSRFGuard: Sendable {
    private let key: SymmetricKey

    init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
    }

    /// The token for forms of `session`.
    func token(session: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("csrf:" + session).utf8), using: key)
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `candidate` is the token of `session` (constant time).
    func verify(_ candidate: String?, session: String) -> Bool {
        guard let candidate, candidate.utf8.count == 64 else { return false }
        let expected = Array(token(session: session).utf8)
        let given = Array(candidate.utf8)
        var difference: UInt8 = 0
        for index in 0..<64 { difference |= expected[index] ^ given[index] }
        return difference == 0
    }
}

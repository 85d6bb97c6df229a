import Crypto
import Foundation
import SluiceCore
import SluiceStore

/// The console's session cookie under `--auth token`: `<token hash>.<expiry ms>.<mac>`, the MAC
/// an HMAC-SHA256 under a key drawn when the console starts. It names the operator's token by its
/// hash (checked against `P:console:operators` on every request, so revoking a token ends its
/// sessions), expires after ``lifetime``, and is sent `HttpOnly; Secure; SameSite=Strict`.
struct SessionCookie: Sendable {
    static let name = "sluice_console"
    static let lifetime: Int64 = 12 * 3600 * 1000
    private let key: SymmetricKey

    init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
    }

    /// A session for the token whose hash is `tokenHash`, from `now` (ms).
    func value(tokenHash: String, now: Int64) -> String {
        let session = "\(tokenHash).\(now + Self.lifetime)"
        return session + "." + mac(session)
    }

    /// The session part (`<hash>.<expiry>`) and the token hash of a cookie value, when its MAC
    /// holds and it has not expired.
    func verify(_ value: String, now: Int64) -> (session: String, tokenHash: String)? {
        let parts = value.split(separator: ".")
        guard parts.count == 3, let expiry = Int64(parts[1]), expiry > now else { return nil }
        let session = "\(parts[0]).\(parts[1])"
        guard let given = Hex.decode(String(parts[2])), given.count == 32,
            HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Array(session.utf8), using: key)
        else { return nil }
        return (session, String(parts[0]))
    }

    private func mac(_ session: String) -> String {
        Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(session.utf8), using: key)))
    }

    /// The `Set-Cookie` header for `value` (an empty value and `Max-Age=0` log out).
    static func header(_ value: String) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(value.isEmpty ? 0 : lifetime / 1000); HttpOnly; Secure; SameSite=Strict"
    }

    /// The cookie's value in a request's `Cookie` header.
    static func read(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name { return String(pair[1]) }
        }
        return nil
    }
}

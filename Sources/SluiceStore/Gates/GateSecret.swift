import Crypto
import SluiceCore

/// The per-gate secret every resume link is derived from (256 random bits, hex), and the
/// derivations: the minting key handed to the gate's script, and each link's token.
///
/// `mint = HMAC-SHA256(secret, "sluice-mint-v1")`; a link's token is
/// `HMAC-SHA256(mint, subject)` where the subject is `user:<name>` for a named approver or
/// `link:<nonce>` for an anonymous link. The resumer recomputes the token from the gate's secret
/// and compares in constant time, so a name edited in a link no longer matches its token.
public enum GateSecret {
    /// 32 random bytes from the system's generator, hex.
    public static func generate() -> String {
        Hex.random(bytes: 32)
    }

    /// The key a gate's script gets to mint its links (never the secret itself, never Redis credentials).
    public static func mintingKey(secret: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("sluice-mint-v1".utf8), using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// The token of a link for `subject`, hex.
    public static func token(mintingKey: [UInt8], subject: String) -> String {
        Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(subject.utf8), using: SymmetricKey(data: mintingKey))))
    }

    /// Whether `token` (hex) is the token of `subject`, compared in constant time.
    public static func verify(token: String, subject: String, secret: String) -> Bool {
        guard let bytes = Hex.decode(token), bytes.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            bytes, authenticating: Array(subject.utf8), using: SymmetricKey(data: mintingKey(secret: secret)))
    }
}

import Crypto
import Foundation

/// The private half of the secrets key pair (X25519), which opens sealed secrets. Workers hold it
/// (`worker --secret-key FILE`); so does an operator rotating the key or revealing a secret.
public struct SecretPrivateKey: Sendable {
    let key: Curve25519.KeyAgreement.PrivateKey

    /// The first line of a private key file; the key follows in base64.
    static let fileTag = "sluice-secret-key-v1:"

    /// A new random key.
    public static func generate() -> SecretPrivateKey {
        SecretPrivateKey(key: Curve25519.KeyAgreement.PrivateKey())
    }

    init(key: Curve25519.KeyAgreement.PrivateKey) {
        self.key = key
    }

    /// The key written as ``fileText`` (comment lines starting with `#` are skipped).
    public init(fileText text: String) throws(SecretError) {
        guard let bytes = SecretKeyText.value(tagged: Self.fileTag, in: text) else {
            throw SecretError("not a Sluice secrets private key (a line '\(Self.fileTag)BASE64' was expected)")
        }
        do {
            key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes)
        } catch {
            throw SecretError("not an X25519 private key")
        }
    }

    public var publicKey: SecretPublicKey { SecretPublicKey(key: key.publicKey) }

    /// The key's id: its public key's (``SecretPublicKey/id``).
    public var id: String { publicKey.id }

    /// The private key file's text.
    public var fileText: String {
        "# Sluice secrets PRIVATE key (X25519, HPKE); key id \(id). Workers need it to open secrets: keep it owner-only.\n"
            + "\(Self.fileTag)\(key.rawRepresentation.base64EncodedString())\n"
    }
}

/// Reading the one tagged line of a key file.
enum SecretKeyText {
    /// The base64 bytes after `tag` on the first line that starts with it; `nil` when there is none.
    static func value(tagged tag: String, in text: String) -> [UInt8]? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(tag) else { continue }
            return Data(base64Encoded: String(trimmed.dropFirst(tag.count))).map { Array($0) }
        }
        return nil
    }
}

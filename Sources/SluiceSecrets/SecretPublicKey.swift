import Crypto
import Foundation
import SluiceCore

/// The public half of the secrets key pair (X25519): enough to seal a secret, not to open one. An
/// operator's CLI needs only this; workers hold the private key.
public struct SecretPublicKey: Sendable, Equatable {
    let key: Curve25519.KeyAgreement.PublicKey

    /// The first line of a public key file; the key follows in base64.
    static let fileTag = "sluice-public-key-v1:"

    init(key: Curve25519.KeyAgreement.PublicKey) {
        self.key = key
    }

    /// The key from its 32 raw bytes.
    public init(rawRepresentation bytes: [UInt8]) throws(SecretError) {
        do {
            key = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
        } catch {
            throw SecretError("not an X25519 public key")
        }
    }

    /// The key written as ``fileText`` (comment lines starting with `#` are skipped).
    public init(fileText text: String) throws(SecretError) {
        guard let bytes = SecretKeyText.value(tagged: Self.fileTag, in: text) else {
            throw SecretError("not a Sluice public key (a line '\(Self.fileTag)BASE64' was expected)")
        }
        try self.init(rawRepresentation: bytes)
    }

    public static func == (lhs: SecretPublicKey, rhs: SecretPublicKey) -> Bool {
        lhs.key.rawRepresentation == rhs.key.rawRepresentation
    }

    /// The key's raw bytes in base64.
    public var base64: String { key.rawRepresentation.base64EncodedString() }

    /// A short fingerprint naming the key in sealed values and in Redis: the first 8 bytes of the
    /// SHA-256 of its raw bytes, hex.
    public var id: String {
        Hex.encode(SHA256.hash(data: key.rawRepresentation).prefix(8))
    }

    /// The public key file's text.
    public var fileText: String {
        "# Sluice secrets public key (X25519, HPKE); key id \(id). It seals secrets and cannot open them.\n\(Self.fileTag)\(base64)\n"
    }
}

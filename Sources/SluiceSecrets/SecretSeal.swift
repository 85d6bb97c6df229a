import Crypto
import Foundation

/// A secret as Redis stores it: sealed with HPKE (RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256),
/// HKDF-SHA256, ChaCha20-Poly1305) to the secrets public key, with a fresh encapsulation — and so
/// a fresh key and nonce — per value, and the variable's path as the associated data, so a sealed
/// value copied to another path does not open.
///
/// Text form: `hpke1.<key id>.<encapsulated key, base64>.<ciphertext, base64>`.
public struct SecretSeal: Sendable, Equatable {
    /// The id of the public key it was sealed to (``SecretPublicKey/id``).
    public let keyID: String
    let encapsulatedKey: Data
    let ciphertext: Data

    static let version = "hpke1"
    static let ciphersuite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly
    /// HPKE's `info`: binds every seal to Sluice's secrets, version 1.
    static let info = Data("sluice secrets v1".utf8)

    /// The associated data of the secret at `path`.
    static func associatedData(path: String) -> Data { Data("sluice-variable:\(path)".utf8) }

    /// Seals `plaintext`, the value of the variable at `path`, to `publicKey`.
    public static func seal(_ plaintext: String, path: String, to publicKey: SecretPublicKey) throws(SecretError) -> SecretSeal {
        do {
            var sender = try HPKE.Sender(recipientKey: publicKey.key, ciphersuite: ciphersuite, info: info)
            let ciphertext = try sender.seal(Data(plaintext.utf8), authenticating: associatedData(path: path))
            return SecretSeal(keyID: publicKey.id, encapsulatedKey: sender.encapsulatedKey, ciphertext: ciphertext)
        } catch {
            throw SecretError("cannot seal the secret at '\(path)': \(error)")
        }
    }

    init(keyID: String, encapsulatedKey: Data, ciphertext: Data) {
        self.keyID = keyID
        self.encapsulatedKey = encapsulatedKey
        self.ciphertext = ciphertext
    }

    /// Reads the text form; throws for anything else.
    public init(text: String) throws(SecretError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.version, parts[1].count == 16,
            let encapsulated = Data(base64Encoded: String(parts[2])), let sealed = Data(base64Encoded: String(parts[3]))
        else {
            throw SecretError("not a sealed secret (expected \(Self.version).<key id>.<key>.<ciphertext>)")
        }
        self.init(keyID: String(parts[1]), encapsulatedKey: encapsulated, ciphertext: sealed)
    }

    /// The text form Redis stores.
    public var text: String {
        "\(Self.version).\(keyID).\(encapsulatedKey.base64EncodedString()).\(ciphertext.base64EncodedString())"
    }

    /// Opens the seal with `privateKey`, for the variable at `path`. Fails when the key is not the
    /// one it was sealed to, or the value was altered or moved from another path.
    public func open(path: String, with privateKey: SecretPrivateKey) throws(SecretError) -> String {
        guard privateKey.id == keyID else {
            throw SecretError("the secret at '\(path)' is sealed to key \(keyID), not to key \(privateKey.id)")
        }
        let plaintext: Data
        do {
            var recipient = try HPKE.Recipient(
                privateKey: privateKey.key, ciphersuite: Self.ciphersuite, info: Self.info, encapsulatedKey: encapsulatedKey)
            plaintext = try recipient.open(ciphertext, authenticating: Self.associatedData(path: path))
        } catch {
            throw SecretError("the secret at '\(path)' does not open with key \(keyID): it was altered, or sealed for another path")
        }
        guard let text = String(data: plaintext, encoding: .utf8) else {
            throw SecretError("the secret at '\(path)' is not UTF-8 text")
        }
        return text
    }
}

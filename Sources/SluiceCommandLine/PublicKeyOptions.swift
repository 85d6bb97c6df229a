public import ArgumentParser
import Foundation
public import SluiceSecrets
import SluiceStore

/// The secrets public key the CLI seals secrets with: `--public-key FILE`, else
/// `SLUICE_PUBLIC_KEY_FILE`, else the public half of the first `SLUICE_SECRET_KEY_FILE`.
public struct PublicKeyOptions: ParsableArguments, Sendable {
    @Option(
        name: .customLong("public-key"),
        help: "The secrets public key file (sluice secrets keygen) that seals secrets (env SLUICE_PUBLIC_KEY_FILE).")
    public var file: String?

    public init() {}

    /// The key, read from the first file given.
    public func publicKey() throws -> SecretPublicKey {
        let path =
            file ?? Environment.value("SLUICE_PUBLIC_KEY_FILE")
            ?? Environment.value("SLUICE_SECRET_KEY_FILE")?.split(separator: ",").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        guard let path else {
            throw CommandFailure(
                "setting a secret needs the secrets public key: --public-key FILE or SLUICE_PUBLIC_KEY_FILE (sluice secrets keygen makes one)")
        }
        do {
            return try SecretKeyFile.publicKey(at: path)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

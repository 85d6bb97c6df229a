public import ArgumentParser
import Foundation
public import SluiceSecrets
import SluiceStore

/// The secrets private keys a process holds: `--secret-key FILE` (repeatable: during a rotation a
/// worker holds the old key and the new one), else `SLUICE_SECRET_KEY_FILE` (files separated by
/// commas). Workers need it to open secrets; the CLI only to reveal or rotate them.
public struct SecretKeyOptions: ParsableArguments, Sendable {
    @Option(
        name: .customLong("secret-key"),
        help: "A secrets private key file (sluice secrets keygen); repeatable (env SLUICE_SECRET_KEY_FILE, comma-separated).")
    public var files: [String] = []

    public init() {}

    /// The key files given, from the options or the environment.
    public var paths: [String] {
        if !files.isEmpty { return files }
        return (Environment.value("SLUICE_SECRET_KEY_FILE") ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// The keys, read and checked (owner-only files); empty when none is given.
    public func keyring() throws -> SecretKeyring {
        var keys: [SecretPrivateKey] = []
        for path in paths {
            do {
                keys.append(try SecretKeyFile.privateKey(at: path))
            } catch {
                throw CommandFailure("\(error)")
            }
        }
        return SecretKeyring(keys)
    }
}

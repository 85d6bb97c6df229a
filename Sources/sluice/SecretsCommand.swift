import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceSecrets
import SluiceStore

/// `sluice secrets keygen|rotate|status`: the key pair secrets are sealed with.
struct SecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "The secrets key pair: make one, rotate every secret to a new one, show which is in use (docs/variables.md).",
        subcommands: [Keygen.self, Rotate.self, Status.self]
    )

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key pair: DIR/secrets.key (private, for workers; owner-only) and DIR/secrets.pub (public, for the CLI).")
        @Option(help: "The directory to write the two files into.") var out: String = "."
        @Option(help: "The files' name, before .key and .pub.") var name: String = "secrets"

        func run() throws {
            let key = SecretPrivateKey.generate()
            let privatePath = out + "/" + name + ".key"
            let publicPath = out + "/" + name + ".pub"
            do {
                try SecretKeyFile.write(key.fileText, to: privatePath)
                try SecretKeyFile.write(key.publicKey.fileText, to: publicPath)
            } catch {
                throw CommandFailure("\(error)")
            }
            print("key \(key.id)")
            print("  \(privatePath)  private: give it to workers (worker --secret-key \(privatePath)); never to Redis or the CLI's users")
            print("  \(publicPath)  public: seals secrets (sluice variable set PATH --secret --public-key \(publicPath))")
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every secret to a new key pair, all at once, and make it the secrets key.",
            discussion: """
                Needs the current private key (--secret-key or SLUICE_SECRET_KEY_FILE) to open each secret, and the new key's public \
                file (--to). Start workers with both private keys (--secret-key OLD --secret-key NEW) before rotating, and drop the old \
                one after: a worker holding only the old key cannot open secrets sealed to the new one.
                """)
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var secretKeys: SecretKeyOptions
        @Option(help: "The new key: its public file (or its private file).") var to: String

        func run() throws {
            let keyring = try secretKeys.keyring()
            guard !keyring.keys.isEmpty else {
                throw CommandFailure("rotating needs the current private key to open the secrets: --secret-key FILE or SLUICE_SECRET_KEY_FILE")
            }
            let newKey: SecretPublicKey
            do {
                newKey = try SecretKeyFile.publicKey(at: to)
            } catch {
                throw CommandFailure("\(error)")
            }
            let session = try Session(connection)
            let store = VariableStore(keys: session.jobs.keys)
            for attempt in 1...5 {
                let registered = try session.perform { try store.registeredKey(on: session.connection) }
                if registered == newKey {
                    let stale = try session.perform { try store.list(on: session.connection) }.filter { $0.isSecret && $0.keyID != newKey.id }
                    guard !stale.isEmpty else {
                        print("every secret is sealed to key \(newKey.id) already")
                        return
                    }
                }
                let secrets = try session.perform { try store.list(on: session.connection) }.filter(\.isSecret)
                var resealed: [(path: String, read: String, sealed: String)] = []
                do {
                    for secret in secrets {
                        let value = try keyring.open(secret.storedValue, path: secret.path)
                        resealed.append((secret.path, secret.storedValue, try SecretSeal.seal(value, path: secret.path, to: newKey).text))
                    }
                } catch {
                    throw CommandFailure("\(error); nothing was changed")
                }
                do {
                    let count = try store.rotate(from: registered?.id, to: newKey, resealed: resealed, on: session.connection)
                    print("\(count) secret\(count == 1 ? "" : "s") re-sealed to key \(newKey.id); it is the secrets key now")
                    print("  seal new secrets with the new public key, and drop the old private key from workers once they hold the new one")
                    return
                } catch let conflict as RotationConflict {
                    if attempt == 5 { throw CommandFailure("\(conflict); secrets keep changing, try again") }
                } catch {
                    throw CommandFailure("\(error); nothing was changed")
                }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The secrets key in use, and how many secrets are sealed to each key.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let session = try Session(connection)
            let store = VariableStore(keys: session.jobs.keys)
            let registered = try session.perform { try store.registeredKey(on: session.connection) }
            let secrets = try session.perform { try store.list(on: session.connection) }.filter(\.isSecret)
            print("secrets key: \(registered?.id ?? "none registered yet (the first secret set registers its key)")")
            var counts: [String: Int] = [:]
            for secret in secrets { counts[secret.keyID ?? "?", default: 0] += 1 }
            for (id, count) in counts.sorted(by: { $0.key < $1.key }) {
                print("  \(count) secret\(count == 1 ? "" : "s") sealed to \(id)\(id == registered?.id ? "" : " (not the secrets key: rotate)")")
            }
        }
    }
}

import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceSecrets
import SluiceStore

/// `sluice variable set|list|show|delete`: variables and secrets.
struct VariableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variable",
        abstract: "Manage variables and secrets (docs/variables.md).",
        subcommands: [Set.self, List.self, Show.self, Delete.self]
    )

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a variable; --secret seals it with the secrets public key (Redis never sees the value).",
            discussion: """
                The value comes from the argument, --from-file or --from-stdin (one trailing newline is dropped from a file or stdin). \
                A secret given as an argument can be seen by other users of this machine (ps) and stays in shell history: prefer \
                --from-stdin. Omitted --description and --allow keep what the variable had.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The variable's path, e.g. f/payments/stripe_key.") var path: String
        @Argument(help: "The value.") var value: String?
        @Option(help: "Read the value from this file.") var fromFile: String?
        @Flag(help: "Read the value from standard input.") var fromStdin = false
        @Flag(help: "A secret: sealed at rest, masked in jobs' logs, shown as ******** by the CLI.") var secret = false
        @Option(help: "A description.") var description: String?
        @Option(help: "Only scripts and flows under this path prefix may read it (e.g. f/payments/); repeatable.") var allow: [String] = []
        @Flag(help: "Every job may read it (clears --allow).") var allowAll = false
        @OptionGroup var keys: PublicKeyOptions

        func validate() throws {
            let sources = [value != nil, fromFile != nil, fromStdin].filter { $0 }.count
            guard sources == 1 else { throw ValidationError("give the value as an argument, with --from-file or with --from-stdin (exactly one)") }
            guard allow.isEmpty || !allowAll else { throw ValidationError("--allow and --allow-all contradict each other") }
            for prefix in allow where !AccessRule.isValidPrefix(prefix) {
                throw ValidationError("invalid path prefix '\(prefix)' for --allow (e.g. f/payments/)")
            }
        }

        func run() throws {
            guard ScriptPath(path) != nil else { throw CommandFailure("invalid path '\(path)' (expected segments like f/payments/stripe_key)") }
            let text = try ValueInput.read(argument: value, file: fromFile, stdin: fromStdin)
            let update: VariableUpdate.Value
            if secret {
                if value != nil {
                    FileHandle.standardError.write(
                        Data("warning: a secret on the command line is visible to ps and kept in shell history; prefer --from-stdin\n".utf8))
                }
                let publicKey = try keys.publicKey()
                do {
                    update = .sealed(try SecretSeal.seal(text, path: path, to: publicKey), publicKey: publicKey)
                } catch {
                    throw CommandFailure("\(error)")
                }
            } else {
                update = .plain(text)
            }
            let access: AccessRule? = allowAll ? .everyone : (allow.isEmpty ? nil : AccessRule(prefixes: allow))
            let session = try Session(connection)
            let (created, version) = try session.perform {
                try VariableStore(keys: session.jobs.keys).set(
                    VariableUpdate(path: path, value: update, description: description, access: access), on: session.connection)
            }
            print("\(path) \(secret ? "secret" : "variable") \(created ? "created" : "updated") (version \(version))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List variables; secrets show as ********.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let session = try Session(connection)
            let variables = try session.perform { try VariableStore(keys: session.jobs.keys).list(on: session.connection) }
            if json {
                print(JSONValue.array(variables.map { VariablePresenter.json($0, revealed: nil) }).prettyJSONText)
                return
            }
            var rows = [["PATH", "KIND", "VALUE", "ALLOW", "UPDATED", "DESCRIPTION"]]
            for variable in variables {
                rows.append([
                    variable.path, variable.isSecret ? "secret" : "plain", VariablePresenter.shown(variable, revealed: nil, limit: 40),
                    variable.access.prefixes.isEmpty ? "*" : variable.access.prefixes.joined(separator: ","),
                    JobPresenter.timestamp(variable.updatedAt),
                    variable.description,
                ])
            }
            print(Table.render(rows))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a variable; a secret's value is ******** unless --reveal is given with the secrets private key.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The variable's path.") var path: String
        @Flag(help: "Print a secret's value: needs the secrets private key (--secret-key or SLUICE_SECRET_KEY_FILE).") var reveal = false
        @OptionGroup var secretKeys: SecretKeyOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try Session(connection)
            guard let variable = try session.perform({ try VariableStore(keys: session.jobs.keys).variable(at: path, on: session.connection) }) else {
                throw CommandFailure("no variable at '\(path)'")
            }
            var revealed: String?
            if reveal, variable.isSecret {
                let keyring = try secretKeys.keyring()
                guard !keyring.keys.isEmpty else {
                    throw CommandFailure(
                        "revealing a secret needs the secrets private key (--secret-key FILE or SLUICE_SECRET_KEY_FILE); the public key only seals")
                }
                do {
                    revealed = try keyring.open(variable.storedValue, path: variable.path)
                } catch {
                    throw CommandFailure("\(error)")
                }
            }
            if json {
                print(VariablePresenter.json(variable, revealed: revealed).prettyJSONText)
                return
            }
            if reveal, let revealed {
                print(revealed)
                return
            }
            var lines: [(String, String)] = [("path", variable.path), ("kind", variable.isSecret ? "secret" : "plain")]
            lines.append(("value", VariablePresenter.shown(variable, revealed: nil, limit: nil)))
            if let keyID = variable.keyID { lines.append(("sealed to key", keyID)) }
            lines.append(("allow", variable.access.prefixes.isEmpty ? "every job" : variable.access.prefixes.joined(separator: ", ")))
            if !variable.description.isEmpty { lines.append(("description", variable.description)) }
            lines.append(("version", String(variable.version)))
            lines.append(("created", JobPresenter.timestamp(variable.createdAt)))
            lines.append(("updated", JobPresenter.timestamp(variable.updatedAt)))
            print(Table.render(lines.map { [$0.0, $0.1] }))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a variable.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The variable's path.") var path: String

        func run() throws {
            let session = try Session(connection)
            guard try session.perform({ try VariableStore(keys: session.jobs.keys).delete(path, on: session.connection) }) else {
                throw CommandFailure("no variable at '\(path)'")
            }
            print("\(path) deleted")
        }
    }
}

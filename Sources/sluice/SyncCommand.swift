import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceRuntime
import SluiceSecrets
import SluiceStore

/// `sluice sync push|pull`: whole workspaces in the folder layout `wmill sync` uses.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push or pull a whole workspace folder, laid out as `wmill sync pull` writes it (docs/workspaces.md).",
        subcommands: [Push.self, Pull.self]
    )

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a workspace folder: scripts, flows, schedules, resources, variables (wmill.yaml's includes and excludes honoured).",
            discussion: """
                Everything is checked before anything is written: one bad file changes nothing. Items are written in dependency order \
                (variables, resources, scripts, flows, schedules); what is already stored as the folder has it is left unchanged. \
                Secret values are not in such a folder: they are listed as to be set.
                """)

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The workspace folder (with wmill.yaml, f/..., u/...).") var folder: String
        @Flag(help: "Print what would be created, updated or left, and write nothing.") var dryRun = false
        @Flag(help: "Refuse a flow with any warning.") var strict = false
        @Flag(help: "Keep flow modules that cannot run here (aiagent, a language with no runtime): such a flow fails only if it reaches one.")
        var allowUnsupported = false
        @OptionGroup var locking: PythonLockOptions
        @OptionGroup var typeScript: TypeScriptLockOptions
        @OptionGroup var keys: PublicKeyOptions

        func run() throws {
            let (contents, _) = try WorkspaceFolder.read(URL(fileURLWithPath: folder))
            let session = try Session(connection)
            let locking = locking
            let typeScript = typeScript
            // A key named on the command line must be readable; one from the environment is used when it is.
            let publicKey = keys.file != nil ? try keys.publicKey() : try? keys.publicKey()
            let importer = WorkspaceImport(
                keys: session.jobs.keys, policy: FlowEngine.PushPolicy(strict: strict, allowUnsupported: allowUnsupported),
                lockScript: { language, content, windmillLock in
                    language == .deno
                        ? try typeScript.lock(content, windmillLock: windmillLock, session: session).lock
                        : try locking.lock(content, session: session).lock
                },
                sealSecret: publicKey.map { key in { value, path in .sealed(try SecretSeal.seal(value, path: path, to: key), publicKey: key) } })
            let report = try session.perform { try importer.push(contents, dryRun: dryRun, on: session.connection) }
            for warning in report.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            var rows: [[String]] = []
            for entry in report.entries {
                let action = dryRun && [.create, .update].contains(entry.action) ? "would be \(entry.action.rawValue)" : entry.action.rawValue
                rows.append([entry.kind, entry.path, action + (entry.note.map { " — \($0)" } ?? "")])
            }
            for (file, reason) in contents.left {
                rows.append(["left", file, reason])
            }
            if !rows.isEmpty { print(Table.render(rows)) }
            let counts = [
                (WorkspaceImport.Action.create, "created"), (.update, "updated"), (.unchanged, "unchanged"), (.toSet, "to set"), (.kept, "kept"),
            ]
            .map { "\(report.count($0.0)) \($0.1)" }
            print(
                (dryRun ? "dry run, nothing written: " : "") + counts.joined(separator: ", ")
                    + ", \(contents.left.count) left, \(report.warnings.count) warnings"
            )
        }
    }

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the stored scripts, flows, schedules, resources and variables into a folder, laid out as `wmill sync pull` writes it.",
            discussion: """
                Files are rewritten only when their text changes; other files are left alone. Secret values are never written: \
                a secret's file says it is one. A folder without wmill.yaml gets one; with one, its includes choose what is written.
                """)

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The folder to write (created if missing).") var folder: String

        func run() throws {
            let session = try Session(connection)
            let root = URL(fileURLWithPath: folder)
            let entries = try session.perform { try WorkspaceExport(keys: session.jobs.keys).write(to: root, on: session.connection) }
            if !entries.isEmpty {
                print(Table.render(entries.map { [$0.kind, $0.path, $0.action.rawValue] }))
            }
            let written = entries.filter { $0.action != .unchanged }.count
            print("\(entries.count) items, \(written) written, \(entries.count - written) unchanged, in \(root.path)")
        }
    }
}

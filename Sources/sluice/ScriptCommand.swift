import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceStore

/// `sluice script push|list|show`.
struct ScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "script",
        abstract: "Push, list and show scripts.",
        subcommands: [Push.self, List.self, Show.self, Callers.self]
    )

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a script under a path, e.g. f/ops/restart.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The script's path, e.g. f/ops/restart.") var path: String
        @Argument(help: "The file to push.") var file: String
        @Option(help: "bash, python3 or deno (also bun, nativets: TypeScript on Deno); default: from the file's extension (.sh, .py, .ts).")
        var language: String?
        @Option(help: "A one-line summary.") var summary: String = ""
        @OptionGroup var locking: PythonLockOptions
        @OptionGroup var typeScript: TypeScriptLockOptions
        @Option(
            help:
                "Windmill's lock of a TypeScript script, whose pinned versions are kept (default: NAME.script.lock beside the file, when there is one)."
        )
        var windmillLock: String?

        func run() throws {
            guard let scriptPath = ScriptPath(path) else {
                throw CommandFailure("invalid path '\(path)' (expected segments like f/ops/restart)")
            }
            let chosen: ScriptLanguage
            if let language {
                guard let parsed = ScriptLanguage(windmillName: language) else {
                    throw CommandFailure("unsupported language '\(language)' (\(ScriptLanguage.windmillNames.joined(separator: ", ")))")
                }
                chosen = parsed
            } else {
                guard let parsed = ScriptLanguage(fileExtension: URL(fileURLWithPath: file).pathExtension) else {
                    throw CommandFailure("cannot tell the language of '\(file)'; pass --language bash|python3|deno")
                }
                chosen = parsed
            }
            let content: String
            do {
                content = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot read '\(file)': \(error.localizedDescription)")
            }
            if chosen == .deno {
                do {
                    _ = try TypeScriptSignature.parameterNames(in: content)
                } catch {
                    throw CommandFailure("\(file): \(error)")
                }
            }
            let session = try Session(connection)
            var locked = ScriptLockResult()
            if chosen == .python3 { locked = try locking.lock(content, session: session) }
            if chosen == .deno { locked = try typeScript.lock(content, windmillLock: try windmillLockText(), session: session) }
            let (hash, changed) = try session.perform {
                try session.scripts.push(
                    path: scriptPath, language: chosen, content: content, summary: summary, lock: locked.lock, on: session.connection)
            }
            print("\(path) \(chosen.rawValue) \(hash.prefix(16))\(changed ? "" : " (unchanged)")")
            if let note = locked.note { print("  " + note) }
        }

        /// Windmill's lock of the script: `--windmill-lock FILE`, else `NAME.script.lock` beside the
        /// file (as `wmill sync` writes it), when present.
        func windmillLockText() throws -> String? {
            let beside = URL(fileURLWithPath: file).deletingPathExtension().path + ".script.lock"
            guard let path = windmillLock ?? (FileManager.default.fileExists(atPath: beside) ? beside : nil) else { return nil }
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot read '\(path)': \(error.localizedDescription)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pushed scripts.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let session = try Session(connection)
            let scripts = try session.perform { try session.scripts.list(on: session.connection) }
            for script in scripts {
                print(
                    "\(script.path)\t\(script.language.rawValue)\t\(script.hash.prefix(16))\t\(JobPresenter.timestamp(script.updatedAt))\t\(script.summary)"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a script's current content (or one version's).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The script's path.") var path: String
        @Option(help: "A content hash (or its prefix) of an older version.") var version: String?
        @Flag(help: "List the versions instead of printing the content.") var versions = false
        @Flag(help: "Print only the version's lock (Python: uv's hash-pinned requirements; TypeScript: Deno's lockfile and the import pins).")
        var lock = false

        func run() throws {
            let session = try Session(connection)
            guard let script = try session.perform({ try session.scripts.script(at: path, on: session.connection) })
            else { throw CommandFailure("no script at '\(path)'") }
            let history = try session.perform { try session.scripts.versions(of: path, on: session.connection) }
            if versions {
                for entry in history {
                    print("\(entry.hash)\t\(JobPresenter.timestamp(entry.pushedAt))\(entry.hash == script.hash ? "\tcurrent" : "")")
                }
                return
            }
            var hash = script.hash
            if let version {
                guard let match = history.first(where: { $0.hash.hasPrefix(version) }) else {
                    throw CommandFailure("no version '\(version)' of '\(path)'")
                }
                hash = match.hash
            }
            guard let (content, stored) = try session.perform({ try session.scripts.version(hash: hash, on: session.connection) })
            else { throw CommandFailure("content \(hash) is missing") }
            if lock {
                guard let stored else { throw CommandFailure("\(path) (\(hash.prefix(16))) has no lock: it needs no packages") }
                print(stored, terminator: stored.hasSuffix("\n") ? "" : "\n")
                return
            }
            print(content, terminator: content.hasSuffix("\n") ? "" : "\n")
            if let stored {
                let kind =
                    script.language == .deno
                    ? "deno cache: the packages and remote modules the worker fetches, exactly" : "uv pip compile; the worker installs exactly this"
                print("\n# ---- lock (\(kind), stored with this version) ----")
                print(stored, terminator: stored.hasSuffix("\n") ? "" : "\n")
            }
        }
    }
}

import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceFlows
import SluiceRuntime
import SluiceStore

/// `sluice flow push|list|show`.
struct FlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Push, list and show flows (Windmill OpenFlow, YAML or JSON).",
        subcommands: [Push.self, List.self, Show.self, Callers.self]
    )

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a flow under a path. FILE is a flow.yaml/.json, or a folder (e.g. deploy.flow/) holding flow.yaml.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The flow's path, e.g. f/ops/deploy.") var path: String
        @Argument(help: "A flow file, or a folder with flow.yaml (as `wmill sync pull` writes).") var file: String
        @OptionGroup var locking: PythonLockOptions
        @OptionGroup var typeScript: TypeScriptLockOptions
        @Flag(help: "Refuse the flow if it has any warning (a field Sluice does not honour, or does not know).") var strict = false
        @Flag(help: "Keep modules that cannot run here (aiagent, a language with no runtime): the flow fails only if it reaches one.")
        var allowUnsupported = false

        func run() throws {
            guard let flowPath = ScriptPath(path) else { throw CommandFailure("invalid path '\(path)' (expected segments like f/ops/deploy)") }
            let (text, folder) = try FlowFiles.read(file)
            let loader = FlowFiles.inlineLoader(folder: folder)
            let session = try Session(connection)
            let engine = FlowEngine(flows: FlowStore(keys: session.jobs.keys))
            let pushed: FlowEngine.Pushed
            do {
                let locking = locking
                let typeScript = typeScript
                pushed = try session.perform {
                    try engine.push(
                        path: flowPath, text: text, loadInline: loader,
                        lockScript: { language, content, windmillLock in
                            let locked =
                                language == .deno
                                ? try typeScript.lock(content, windmillLock: windmillLock, session: session)
                                : try locking.lock(content, session: session)
                            let kind = language == .deno ? "TypeScript" : "python"
                            if let note = locked.note { print("  \(kind) step \(ContentHash.of(content).prefix(12)): \(note)") }
                            return locked.lock
                        }, policy: FlowEngine.PushPolicy(strict: strict, allowUnsupported: allowUnsupported), on: session.connection)
                }
            } catch let error as FlowFormatError {
                throw CommandFailure("\(file): \(error)")
            }
            for warning in pushed.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            let modules = pushed.definition.allModules.count
            print("\(path) flow \(pushed.hash.prefix(16)) (\(modules) module\(modules == 1 ? "" : "s"))\(pushed.changed ? "" : " (unchanged)")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pushed flows.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let session = try Session(connection)
            let flows = FlowStore(keys: session.jobs.keys)
            for flow in try session.perform({ try flows.list(on: session.connection) }) {
                print("\(flow.path)\t\(flow.hash.prefix(16))\t\(JobPresenter.timestamp(flow.updatedAt))\t\(flow.summary)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a flow's stored document (inline scripts included) as JSON.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The flow's path.") var path: String

        func run() throws {
            let session = try Session(connection)
            let flows = FlowStore(keys: session.jobs.keys)
            guard let flow = try session.perform({ try flows.flow(at: path, on: session.connection) }) else {
                throw CommandFailure("no flow at '\(path)'")
            }
            guard let text = try session.perform({ try flows.document(hash: flow.hash, on: session.connection) }),
                let document = try? JSONValue(parsing: text)
            else { throw CommandFailure("the flow's document \(flow.hash) is missing") }
            print(document.prettyJSONText)
        }
    }
}

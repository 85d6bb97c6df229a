import ArgumentParser
import SluiceCommandLine
import SluiceCore
import SluiceStore

/// `sluice script callers PATH` / `sluice flow callers PATH`: who besides the script's (or flow's)
/// own folder may start it from a job, through the job's channel (`run_script_by_path`…).
struct CallersOptions: ParsableArguments {
    static let configuration = CommandConfiguration(
        commandName: "callers",
        abstract: "Show or set which folders' jobs may start this script or flow through their channel (besides its own folder).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The script's (or flow's) path.") var path: String
    @Option(name: .customLong("allow"), help: "A path prefix whose jobs may start it (f/ops/); repeatable; replaces the rule.")
    var prefixes: [String] = []
    @Flag(help: "Remove the rule: only jobs of its own folder may start it.") var clear = false
    func validate() throws {
        if clear, !prefixes.isEmpty { throw ValidationError("--clear and --allow exclude each other") }
        for prefix in prefixes where !AccessRule.isValidPrefix(prefix) { throw ValidationError("'\(prefix)' is not a path prefix (f/ops/)") }
    }

    func run(flow: Bool) throws {
        let session = try Session(connection)
        let calls = CallStore(keys: session.jobs.keys)
        let kind = flow ? "flow" : "script"
        if clear || !prefixes.isEmpty {
            let rule = AccessRule(prefixes: clear ? [] : prefixes)
            guard try session.perform({ try calls.setCallers(rule, of: path, flow: flow, on: session.connection) }) else {
                throw CommandFailure("no \(kind) at '\(path)'")
            }
        }
        let rule = try session.perform { try calls.callers(of: path, flow: flow, on: session.connection) }
        let folder = CallRule.folder(of: path)
        print("jobs under \(([folder] + (rule?.prefixes ?? [])).joined(separator: ", ")) may start \(kind) \(path)")
    }
}

extension ScriptCommand {
    struct Callers: ParsableCommand {
        static let configuration = CallersOptions.configuration
        @OptionGroup var command: CallersOptions
        func run() throws { try command.run(flow: false) }
    }
}

extension FlowCommand {
    struct Callers: ParsableCommand {
        static let configuration = CallersOptions.configuration
        @OptionGroup var command: CallersOptions
        func run() throws { try command.run(flow: true) }
    }
}

import ArgumentParser
import SluiceCommandLine

/// `sluice`: the operator CLI — push scripts, run jobs, inspect and cancel them, schedule them, watch the queues.
@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Operate Sluice: push scripts, run them, inspect jobs and queues.",
        discussion: "The connection options (--redis, --prefix, --retention-days) may come before the subcommand or after it.",
        subcommands: [
            ScriptCommand.self, FlowCommand.self, RunCommand.self, JobCommand.self, SuspendedCommand.self, ResumeCommand.self, GroupCommand.self,
            QueuesCommand.self, TopCommand.self, ScheduleCommand.self, VariableCommand.self, ResourceCommand.self, SecretsCommand.self,
            SyncCommand.self, TokenCommand.self, RouteCommand.self, ConsoleCommand.self, InboxCommand.self,
        ]
    )

    /// Moves connection options given before the subcommand after it, then runs.
    static func main() {
        main(LeadingOptions.reordered(Array(CommandLine.arguments.dropFirst())))
    }
}

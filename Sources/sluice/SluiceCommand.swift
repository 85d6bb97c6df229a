import ArgumentParser

/// `sluice`: the operator CLI — push scripts, run jobs, inspect and cancel them, schedule them, watch the queues.
@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Operate Sluice: push scripts, run them, inspect jobs and queues.",
        subcommands: [
            ScriptCommand.self, FlowCommand.self, RunCommand.self, JobCommand.self, SuspendedCommand.self, ResumeCommand.self, GroupCommand.self,
            QueuesCommand.self, ScheduleCommand.self,
        ]
    )
}

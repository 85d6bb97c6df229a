import ArgumentParser
import SluiceCommandLine
import SluiceCore
import SluiceRedis
import SluiceStore

/// `sluice job show|logs|wait|cancel ID`.
struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Inspect, wait for and cancel jobs.",
        subcommands: [Show.self, Logs.self, Wait.self, Cancel.self]
    )

    static func parse(_ text: String) throws -> JobID {
        guard let id = JobID(text) else { throw CommandFailure("'\(text)' is not a job id (26 characters, e.g. 01JD3...)") }
        return id
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job: state, timestamps, arguments, result or error.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The job id.") var id: String
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() throws {
            let jobID = try JobCommand.parse(id)
            let session = try Session(connection)
            guard let job = try session.perform({ try session.jobs.job(jobID, on: session.connection) }) else {
                throw CommandFailure("no job '\(id)' (unknown, or expired after the retention period)")
            }
            var steps: [JobRecord] = []
            var gates: [GateRecord] = []
            if job.kind == .flow {
                gates = try session.perform { try GateStore(keys: session.jobs.keys).gates(ofFlow: jobID, on: session.connection) }
                let flows = FlowStore(keys: session.jobs.keys)
                let ids = try session.perform { try flows.steps(of: jobID, on: session.connection) }
                steps = try session.perform { try ids.compactMap { try session.jobs.job($0, on: session.connection) } }
            }
            let callStore = CallStore(keys: session.jobs.keys)
            var callIDs = try session.perform { try callStore.calls(of: jobID, on: session.connection) }
            for step in steps { callIDs += try session.perform { try callStore.calls(of: step.id, on: session.connection) } }
            let calls = try session.perform { try callIDs.compactMap { try session.jobs.job($0, on: session.connection) } }
            if json {
                var value = JobPresenter.json(job)
                if !calls.isEmpty { value = value.setting("calls", to: .array(calls.map(JobPresenter.json))) }
                if job.kind == .flow {
                    value = value.setting("steps", to: .array(steps.map(JobPresenter.json)))
                    value = value.setting("gates", to: .array(gates.map(GatePresenter.json)))
                }
                print(value.prettyJSONText)
            } else {
                print(JobPresenter.text(job))
                if job.kind == .flow {
                    print("")
                    print(JobPresenter.steps(steps))
                    for gate in gates {
                        print("")
                        print(GatePresenter.text(gate))
                    }
                }
                if !calls.isEmpty {
                    print("")
                    print(JobPresenter.calls(calls))
                }
            }
        }
    }

    struct Logs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a job's captured stdout and stderr.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The job id.") var id: String

        func run() throws {
            let jobID = try JobCommand.parse(id)
            let session = try Session(connection)
            guard try session.perform({ try session.jobs.job(jobID, on: session.connection) }) != nil else {
                throw CommandFailure("no job '\(id)'")
            }
            let logs = try session.perform { try session.jobs.logs(jobID, on: session.connection) } ?? ""
            print(logs, terminator: logs.isEmpty || logs.hasSuffix("\n") ? "" : "\n")
        }
    }

    struct Wait: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wait for a job to finish; print its result JSON.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The job id.") var id: String
        @Option(help: "Give up after this many seconds.") var timeout: String?

        func run() throws {
            let jobID = try JobCommand.parse(id)
            let session = try Session(connection)
            try JobWaiting.waitAndPrint(jobID, session: session, timeout: timeout.flatMap(DurationParsing.seconds))
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job that has not finished.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The job id.") var id: String
        @Option(help: "Why (recorded as the job's error).") var reason: String = "canceled by operator"

        func run() throws {
            let jobID = try JobCommand.parse(id)
            let session = try Session(connection)
            guard let previous = try session.perform({ try session.jobs.cancel(jobID, reason: reason, on: session.connection) })
            else { throw CommandFailure("no job '\(id)'") }
            if previous.isFinal {
                print("job \(id) had already finished (\(previous.rawValue)); nothing changed")
            } else {
                print("job \(id) canceled (was \(previous.rawValue))")
            }
        }
    }
}

import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore

/// `sluice run PATH`: queue a run of a pushed script (or the built-in identity job), optionally wait.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pushed script with JSON arguments, now or later; print the job id (or, with --wait, the result)."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The script's path (omit with --identity).") var path: String?
    @Option(name: .long, help: "The arguments as a JSON object.") var args: String?
    @Option(name: .customShort("a"), help: "One argument as key=value (value parsed as JSON if it can be); repeatable.") var arg: [String] = []
    @Option(help: "The queue to run on (default 'default').") var queue: String = "default"
    @Option(name: .customLong("in"), help: "Run after this many seconds.") var delay: String?
    @Option(help: "Run at this ISO 8601 time, e.g. 2026-12-01T09:00:00Z.") var at: String?
    @Option(name: .customLong("as"), help: "Who starts the job (recorded as created_by).") var createdBy: String?
    @Option(help: "The job's execution timeout in seconds.") var jobTimeout: Int?
    @Option(help: "An environment variable for the script, KEY=VALUE; repeatable.") var env: [String] = []
    @Option(help: "How many deliveries before a job whose workers keep dying fails (default 3).") var maxDeliveries: Int = JobDefaults.maxDeliveries
    @Option(help: "Above 0: the job is taken before the jobs of its queue without priority.") var priority: Int = 0
    @Flag(help: "Run the built-in identity job: no process, returns its arguments.") var identity = false
    @Flag(help: "Wait for the job and print its result.") var wait = false
    @Option(help: "With --wait: give up after this many seconds (default: wait forever).") var timeout: String?
    @Flag(help: "With --wait: never ask in the terminal when the flow parks at a gate you may answer.") var noPrompt = false

    func validate() throws {
        if identity == (path != nil) { throw ValidationError("give a script path, or --identity") }
        if delay != nil && at != nil { throw ValidationError("--in and --at cannot be used together") }
        if !QueueName.isValid(queue) { throw ValidationError("invalid queue name '\(queue)'") }
        if let jobTimeout, jobTimeout <= 0 { throw ValidationError("--job-timeout must be positive") }
        if !(1...100).contains(maxDeliveries) { throw ValidationError("--max-deliveries must be between 1 and 100") }
        if let delay, DurationParsing.seconds(delay) == nil { throw ValidationError("--in must be a number of seconds") }
        if let timeout, DurationParsing.seconds(timeout) == nil { throw ValidationError("--timeout must be a number of seconds") }
    }

    func run() throws {
        let arguments = try ArgumentsInput.build(json: args, pairs: arg)
        let environment = try ArgumentsInput.environment(env)
        var runAt: Int64?
        if let at {
            guard let date = try? Date(at, strategy: .iso8601) else { throw CommandFailure("--at is not an ISO 8601 time: '\(at)'") }
            runAt = Int64(date.timeIntervalSince1970 * 1000)
        }
        let session = try Session(connection)
        let now = try session.perform { try session.connection.serverMilliseconds() }
        if let delay, let duration = DurationParsing.seconds(delay) {
            runAt = now + Int64(duration.wholeMilliseconds)
        }
        var request = EnqueueRequest(
            id: JobID(milliseconds: UInt64(now)),
            kind: .identity,
            queue: queue,
            arguments: arguments,
            runAt: runAt,
            createdBy: createdBy,
            timeoutSeconds: jobTimeout,
            maxDeliveries: maxDeliveries,
            environment: environment,
            priority: priority
        )
        if let path, let flow = try session.perform({ try FlowStore(keys: session.jobs.keys).flow(at: path, on: session.connection) }) {
            guard runAt == nil else { throw CommandFailure("--in and --at are for scripts; a flow starts now") }
            try startFlow(flow, arguments: arguments, environment: environment, id: request.id, session: session)
        } else if let path {
            guard let script = try session.perform({ try session.scripts.script(at: path, on: session.connection) })
            else { throw CommandFailure("no script or flow at '\(path)' (push one with: sluice script push \(path) FILE)") }
            request.kind = .script
            request.path = path
            request.scriptHash = script.hash
            request.language = script.language
            try session.perform { _ = try session.jobs.enqueue(request, on: session.connection) }
        } else {
            try session.perform { _ = try session.jobs.enqueue(request, on: session.connection) }
        }
        try Self.awaitReplicas(of: request.id, session: session)
        guard wait else {
            print(request.id.rawValue)
            return
        }
        // Windmill's prompts: a flow run from a terminal asks its runner at the gates they may answer.
        let prompter = noPrompt || isatty(STDIN_FILENO) == 0 ? nil : TerminalPrompter(runner: createdBy ?? TerminalPrompter.loginName)
        try JobWaiting.waitAndPrint(request.id, session: session, timeout: timeout.flatMap(DurationParsing.seconds), prompter: prompter)
    }
}

extension RunCommand {
    /// With `--ack`, returns once the replicas hold the run `id`; else says the run exists on the
    /// master only (a failover could still lose it), so the operator checks before starting it again.
    static func awaitReplicas(of id: JobID, session: Session) throws {
        let outcome = Result { () throws(RedisError) in try session.connection.awaitReplicas(in: session.jobs.keys) }
        if case .failure(let error) = outcome {
            throw CommandFailure(
                "\(error): run \(id.rawValue) was accepted but not yet by enough replicas; see `sluice job show \(id.rawValue)` before starting it again"
            )
        }
    }

    /// Starts the flow: its input checked against the flow's schema (defaults filled in).
    func startFlow(_ flow: StoredFlow, arguments: JSONValue, environment: [String: String], id: JobID, session: Session) throws {
        let engine = FlowEngine(flows: FlowStore(keys: session.jobs.keys, settings: session.jobs.settings))
        let start = FlowEngine.Start(
            id: id, path: flow.path, input: arguments, queue: queue, createdBy: createdBy, environment: environment, maxDeliveries: maxDeliveries)
        do {
            _ = try session.perform { try engine.start(start, on: session.connection) }
        } catch let error as FlowStartError {
            throw CommandFailure("\(error)")
        }
    }
}

/// Shared by `run --wait` and `job wait`: waits, prints the result JSON as the last line, and
/// exits non-zero when the job failed, was canceled, or the wait timed out. With a prompter, a
/// flow that parks at a gate the runner may answer is answered in the terminal, and the wait goes on.
enum JobWaiting {
    static func waitAndPrint(_ id: JobID, session: Session, timeout: Duration?, prompter: TerminalPrompter? = nil) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + (timeout ?? .seconds(100 * 365 * 24 * 3600))
        var asked: Set<JobID> = []
        var job: JobRecord
        while true {
            let slice = prompter == nil ? deadline - clock.now : min(deadline - clock.now, .seconds(1))
            guard let current = try session.perform({ try session.jobs.wait(for: id, timeout: max(slice, .zero), on: session.connection) })
            else { throw CommandFailure("no job '\(id)'") }
            job = current
            if job.state.isFinal || clock.now >= deadline { break }
            if let prompter, job.kind == .flow, job.state == .suspended {
                try prompter.answerOpenGates(of: id, asked: &asked, session: session)
            }
        }
        switch job.state {
        case .success:
            print((job.result ?? .null).jsonText)
        case .failure:
            throw CommandFailure("job \(id) failed: \(job.error ?? "no error recorded")")
        case .canceled:
            throw CommandFailure("job \(id) was canceled: \(job.error ?? "")")
        default:
            FileHandle.standardError.write(Data("sluice: timed out waiting for job \(id) (state \(job.state.rawValue))\n".utf8))
            throw ExitCode(2)
        }
    }
}

import Foundation
public import SluiceCore
public import SluiceRedis
import SluiceRuntime
public import SluiceStore

/// The console's actions on a job, each through the store operation the CLI uses (one Lua
/// script that checks the state it expects) and each recorded in the ``AuditLog``.
public struct ConsoleActions: Sendable {
    public let jobs: JobStore
    let engine: FlowEngine
    let audit: AuditLog

    public init(jobs: JobStore) {
        self.jobs = jobs
        engine = FlowEngine(flows: FlowStore(keys: jobs.keys, settings: jobs.settings))
        audit = AuditLog(keys: jobs.keys)
    }

    /// What an operator can do to a job from its page.
    public enum Action: String, Sendable, CaseIterable {
        /// `cancel_job`: stops a job that has not finished (a flow with its current step).
        case cancel
        /// A new run of the same script version (or flow path), arguments, queue and environment.
        case runAgain = "run-again"
        /// `delete_job`: removes a finished job (a flow with its steps and gates) for good.
        case delete

        var heading: String {
            switch self {
            case .cancel: "Cancel this job?"
            case .runAgain: "Run this job again?"
            case .delete: "Delete this job?"
            }
        }
        var question: String {
            switch self {
            case .cancel: "The job stops: a running script is killed by its worker, a flow is canceled with its current step."
            case .runAgain: "A new job starts with the same arguments; this one is left as it is."
            case .delete:
                "The job is removed from Redis for good — its arguments, result, logs, and for a flow its steps and gates. Counters keep counting it."
            }
        }
        var button: String {
            switch self {
            case .cancel: "Cancel the job"
            case .runAgain: "Run again"
            case .delete: "Delete the job"
            }
        }
    }

    /// Whether a job can be deleted from its page: finished, and not a part of a flow.
    public static func canDelete(_ job: JobRecord) -> Bool {
        job.state.isFinal && job.kind != .step && job.kind != .flowEvent
    }

    /// Whether a job can be started again from its page: runs people start, not a flow's steps.
    public static func canRunAgain(_ job: JobRecord) -> Bool {
        switch job.kind {
        case .script, .identity: true
        case .flow: job.path != nil
        case .step, .flowEvent: false
        }
    }

    /// What an action did.
    public enum Outcome: Sendable, Equatable {
        case canceled(was: JobState)
        case alreadyFinished(JobState)
        case started(JobID)
        case deleted(was: JobState)
        case refused(String)
    }

    /// Performs `action` on `job` as `who`, then records it in the audit list.
    public func perform(_ action: Action, on job: JobRecord, who: String, connection: RedisConnection) throws -> Outcome {
        let outcome: Outcome
        switch action {
        case .cancel:
            let before = try jobs.cancel(job.id, reason: "canceled by \(who) from the console", on: connection)
            if let before, !before.isFinal {
                outcome = .canceled(was: before)
            } else {
                outcome = .alreadyFinished(before ?? job.state)
            }
        case .runAgain:
            outcome = try runAgain(job, who: who, on: connection)
        case .delete:
            switch try jobs.delete(job.id, on: connection) {
            case .deleted(let state): outcome = .deleted(was: state)
            case .refused(let why): outcome = .refused(why)
            case .unknown: outcome = .refused("no such job any more")
            }
        }
        try audit.record(who: who, action: action.rawValue, target: job.id.rawValue, outcome: Self.describe(outcome), on: connection)
        return outcome
    }

    private func runAgain(_ job: JobRecord, who: String, on connection: RedisConnection) throws -> Outcome {
        guard Self.canRunAgain(job) else { return .refused("a \(job.kind.rawValue) job runs as part of its flow; run the flow again") }
        let now = try connection.serverMilliseconds()
        let id = JobID(milliseconds: UInt64(now))
        if job.kind == .flow, let path = job.path {
            do {
                let started = try engine.start(
                    FlowEngine.Start(
                        id: id, path: path, input: job.arguments, queue: job.queue, createdBy: who, environment: job.environment,
                        maxDeliveries: job.maxDeliveries),
                    on: connection)
                return .started(started)
            } catch let error as FlowStartError {
                return .refused("\(error)")
            }
        }
        let request = EnqueueRequest(
            id: id, kind: job.kind, queue: job.queue, arguments: job.arguments, path: job.path, scriptHash: job.scriptHash, language: job.language,
            createdBy: who, timeoutSeconds: job.timeoutSeconds, maxDeliveries: job.maxDeliveries, environment: job.environment)
        _ = try jobs.enqueue(request, on: connection)
        return .started(id)
    }

    static func describe(_ outcome: Outcome) -> String {
        switch outcome {
        case .canceled(let was): "canceled (was \(was.rawValue))"
        case .alreadyFinished(let state): "nothing: already \(state.rawValue)"
        case .started(let id): "started \(id.rawValue)"
        case .deleted(let was): "deleted (was \(was.rawValue))"
        case .refused(let why): "refused: \(why)"
        }
    }
}

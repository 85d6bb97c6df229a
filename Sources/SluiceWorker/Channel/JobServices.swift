import Logging
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import Synchronization

/// What one job may ask of the worker through its channel (``ChannelRequest``): variables and
/// resources it is allowed to read (secrets opened with the worker's key), its script's state,
/// and its gate's resume links. It remembers the secret values it handed out, so they are masked
/// in the job's output, and the refusals, which go into the job's logs.
final class JobServices: JobChannelHandler {
    /// What a gated step's links are made from: never sent to the job, only the links are.
    struct GateLinks: Sendable {
        var publicURL: String
        var gate: JobID
        var mintingKey: [UInt8]
    }

    /// What a job's calls and waits leave behind: whether it started any, when it must end, and
    /// the slot it lends while it waits.
    struct Calling: Sendable {
        var started = false
        var deadline: ContinuousClock.Instant?
        var waits = 0
        var loan: SlotLender.Loan?
    }

    let job: JobID
    let caller: Caller
    /// Where the script's state is kept: its path, or `<flow path>/<module id>` for a flow step.
    let statePath: String?
    let gate: GateLinks?
    /// Starting and following other jobs, writing variables (`nil`: the job may not).
    let calls: CallContext?
    let client: RedisClient
    private let resolver: VariableResolver
    private let states: StateStore
    let logger: Logger
    private let kept = Mutex<(secrets: SecretRedactor, notes: [String])>((SecretRedactor(), []))
    let calling = Mutex(Calling())

    init(
        job: JobID, caller: Caller, statePath: String?, gate: GateLinks?, client: RedisClient, resolver: VariableResolver, keys: KeySpace,
        logger: Logger, calls: CallContext? = nil
    ) {
        self.job = job
        self.caller = caller
        self.statePath = statePath
        self.gate = gate
        self.client = client
        self.resolver = resolver
        states = StateStore(keys: keys)
        self.logger = logger
        self.calls = calls
    }

    /// Whether the job started other jobs through its channel.
    var startedCalls: Bool { calling.withLock { $0.started } }

    /// When the job's time is up (its timeout): the jobs it starts get no more time than it has left.
    func setDeadline(_ deadline: ContinuousClock.Instant) {
        calling.withLock { $0.deadline = deadline }
    }

    /// The secret values this job read (through the channel or as it started).
    var secrets: SecretRedactor { kept.withLock { $0.secrets } }

    /// Lines for the job's logs: what it was refused.
    var notes: [String] { kept.withLock { $0.notes } }

    /// Remembers secrets the job got another way (its arguments) and refusals to record.
    func remember(_ secrets: SecretRedactor, notes: [String] = []) {
        kept.withLock { kept in
            kept.secrets.merge(secrets)
            kept.notes += notes
        }
    }

    func handle(_ request: ChannelRequest) async -> ChannelResponse {
        do {
            switch request {
            case .getVariable(let path): return try await resolve(Reference(.variable, path))
            case .getResource(let path): return try await resolve(Reference(.resource, path))
            case .getState:
                guard let statePath else { return .failure(kind: "error", message: "this job has no script path, so it has no state") }
                let states = states
                return .value(try await client.run { try states.state(at: statePath, on: $0) })
            case .setState(let value):
                guard let statePath else { return .failure(kind: "error", message: "this job has no script path, so it has no state") }
                if secrets.reveals(value) {
                    return .failure(kind: "error", message: "the state holds a secret value this job read; it would be kept in Redis in clear")
                }
                let states = states
                try await client.run { try states.setState(value, at: statePath, on: $0) }
                return .value(.null)
            case .resumeURLs(let approver):
                guard let gate else {
                    return .failure(kind: "error", message: "this step has no approval gate (suspend), so it has no resume links")
                }
                let links = ResumeLinks(
                    publicURL: gate.publicURL, gate: gate.gate.rawValue, subject: approver.map { .named($0) } ?? .newAnonymous(),
                    mintingKey: gate.mintingKey)
                return .value(["approvalPage": .string(links.approvalPage), "resume": .string(links.resume), "cancel": .string(links.cancel)])
            case .run(let target): return try await start(target)
            case .wait(let id, let timeout): return try await wait(for: id, timeout: timeout)
            case .jobStatus(let id): return try await status(of: id)
            case .result(let id): return try await result(of: id)
            case .cancelJob(let id, let reason): return try await cancel(id, reason: reason)
            case .setVariable(let path, let value, let secret, let description):
                return try await setVariable(path, value: value, secret: secret, description: description)
            case .setResource(let path, let value, let type): return try await setResource(path, value: value, type: type)
            }
        } catch let refusal as CallRefusal {
            return .failure(kind: "error", message: refusal.description)
        } catch let refusal as StoreRefusal {
            return .failure(kind: "error", message: refusal.description)
        } catch {
            logger.warning("a job's channel request failed", metadata: ["job.id": "\(job)", "error": "\(error)"])
            return .failure(kind: "error", message: "the worker cannot answer now: \(error)")
        }
    }

    private func resolve(_ reference: Reference) async throws -> ChannelResponse {
        let resolver = resolver
        let caller = caller
        let resolution = try await client.run { try resolver.resolve([reference], for: caller, on: $0) }
        remember(resolution.secrets, notes: resolution.refusals.map { "[sluice: \($0)]" })
        for refusal in resolution.refusals {
            logger.info("a job was refused a variable or resource", metadata: ["job.id": "\(job)", "refusal": "\(refusal)"])
        }
        switch resolution.values[reference] {
        case .value(let value)?: return .value(value)
        case .failure(let message)?: return .failed(message)
        case nil: return .failed("\(reference) was not resolved")
        }
    }
}

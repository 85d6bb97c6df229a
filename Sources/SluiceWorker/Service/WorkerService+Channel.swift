import Foundation
import Logging
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceRuntime
import SluiceStore

extension WorkerService {
    /// What the job may ask through its channel: checked against the rights of the code it runs —
    /// a script's path (a script job, or a flow step of `type: script`: never the rights of the flow
    /// that runs it), or for an inline step its flow's path; its state kept at its script path (a
    /// step's at `<flow path>/<module id>`), its gate's links when it has one. It starts knowing the
    /// secrets the step was started with.
    func jobServices(for job: JobRecord, beginning: StepBeginning?, gateSecret: String?, client: RedisClient) -> JobServices {
        let caller = Caller(paths: [job.path ?? beginning?.flowPath].compactMap { $0 })
        let statePath = beginning != nil ? beginning?.statePath : job.path
        let gate = gateSecret.map {
            JobServices.GateLinks(publicURL: settings.publicURL, gate: job.id, mintingKey: GateSecret.mintingKey(secret: $0))
        }
        let calls = CallContext(
            job: job, jobs: store, engine: engine, keyring: settings.keyring, redis: settings.redis, lender: lender, maxDepth: settings.maxCallDepth,
            maxTotal: settings.maxChainCalls)
        let services = JobServices(
            job: job.id, caller: caller, statePath: statePath, gate: gate, client: client, resolver: engine.resolver, keys: store.keys,
            logger: logger, calls: calls)
        if let beginning { services.remember(beginning.secrets, notes: beginning.refusals.map { "[sluice: \($0)]" }) }
        return services
    }

    /// A script job's arguments with their `$var:`/`$res:` strings resolved (the stored arguments
    /// keep the references); a failure names the reference. `nil` when Redis is away.
    func resolveReferences(in arguments: JSONValue, for services: JobServices, client: RedisClient) async -> Result<JSONValue, ReferenceFailure>? {
        let references = arguments.references
        guard !references.isEmpty else { return .success(arguments) }
        let resolver = engine.resolver
        let caller = services.caller
        let resolution: VariableResolver.Resolution
        do {
            resolution = try await client.run { try resolver.resolve(references, for: caller, on: $0) }
        } catch {
            logger.warning("cannot resolve a job's variables; handing it back", metadata: ["job.id": "\(services.job)", "error": "\(error)"])
            return nil
        }
        services.remember(resolution.secrets, notes: resolution.refusals.map { "[sluice: \($0)]" })
        do {
            return .success(try arguments.substitutingReferences(resolution.values))
        } catch {
            return .failure(error)
        }
    }

    /// Notes (refusals) as the first lines of a job's log.
    static func notes(_ lines: [String]) -> String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// A job's captured log with the secrets it read masked — including the start of one cut off
    /// where the log reached its cap.
    static func redact(logs: String, with secrets: SecretRedactor) -> String {
        guard !secrets.isEmpty else { return logs }
        if let marker = logs.range(of: "\n[sluice: log truncated at ", options: .backwards) {
            return secrets.redact(String(logs[..<marker.lowerBound]), truncated: true) + logs[marker.lowerBound...]
        }
        return secrets.redact(logs)
    }
}

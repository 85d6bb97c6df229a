import Logging
import SluiceCore
import SluiceExecution
import SluiceFlows
import SluiceRedis
import SluiceRuntime
import SluiceStore

extension WorkerService {
    /// Runs a flow step: the runtime reads its scope and says how it starts (run the script with
    /// these arguments, skip it, use a mock or cached result, open a loop or branch, start a
    /// subflow); the outcome goes back through the runtime.
    func runStep(_ job: JobRecord, prefetched: FlowSnapshot?, killer: ProcessKiller, client: RedisClient) async -> Execution {
        let engine = engine
        let beginning: StepBeginning
        do {
            beginning = try await client.run { try engine.begin(job, prefetched: prefetched, on: $0) }
        } catch {
            logger.warning("cannot read the step's flow; handing it back", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
            return .handBack
        }
        if let report = Self.reportWithoutRunning(beginning) { return .step(beginning, report) }
        switch beginning.start {
        case .run(let invocation):
            if beginning.module?.cacheTTL != nil, let cached = try? await client.run({ try engine.cachedResult(beginning, on: $0) }) {
                return .step(beginning, FlowEngine.StepReport(outcome: .success(cached), logs: "[sluice: result reused from the cache]\n"))
            }
            var gateSecret: String?
            if let gate = invocation.gate {
                let worker = settings.workerID
                do {
                    guard let secret = try await client.run({ try engine.openPendingGate(beginning, gate: gate, worker: worker, on: $0) }) else {
                        return .step(beginning, FlowEngine.StepReport(outcome: .failure("the step is no longer held by this worker")))
                    }
                    gateSecret = secret
                } catch {
                    return .handBack
                }
            }
            if case .identity? = beginning.module?.value {
                return .step(beginning, FlowEngine.StepReport(outcome: .success(invocation.arguments)))
            }
            let execution = await runScript(
                job, arguments: invocation.arguments, timeout: invocation.timeoutSeconds, gate: gateSecret, beginning: beginning, killer: killer,
                client: client)
            switch execution {
            case .plain(let outcome, let logs): return .step(beginning, FlowEngine.StepReport(outcome: outcome, logs: logs))
            case .handBack, .step, .event: return .handBack
            }
        case .skipped(let value):
            return .step(beginning, FlowEngine.StepReport(outcome: .success(value), skipped: true))
        case .mocked(let value):
            return .step(beginning, FlowEngine.StepReport(outcome: .success(value), logs: "[sluice: mocked result]\n"))
        case .failed(let message):
            return .step(beginning, FlowEngine.StepReport(outcome: .failure(message), logs: Self.notes(beginning.refusals.map { "[sluice: \($0)]" })))
        case .open, .subflow:
            return .step(beginning, FlowEngine.StepReport(outcome: .success(.null)))
        }
    }

    /// The report of a step that runs nothing — an `identity` module without a gate: its
    /// arguments are its result — or nil for any other step.
    static func reportWithoutRunning(_ beginning: StepBeginning) -> FlowEngine.StepReport? {
        guard case .run(let invocation) = beginning.start, case .identity? = beginning.module?.value, invocation.gate == nil else { return nil }
        return FlowEngine.StepReport(outcome: .success(invocation.arguments))
    }

    /// A step that runs nothing — an `identity` module without a gate — begun, decided and reported
    /// in one call on the slot's Redis thread (two thread hops fewer than the usual path, which
    /// reads in one call and reports in another). `nil` when the step is not such a step or a call
    /// failed: the usual path then begins it again (a report that did apply makes that one stale).
    ///
    /// The job taken next in the same call is often the step its flow moved to; while it is one
    /// that runs nothing too, it goes the same way without leaving the thread (at most
    /// ``instantChainLimit`` in a row, and not once the worker is stopping). A chained step that
    /// turns out to need the usual path (a `skip_if`, a call that failed) is returned as `next`,
    /// still held under the lease it was taken with.
    func instantStep(_ job: JobRecord, prefetched: FlowSnapshot?, client: RedisClient, next: JobStore.NextJob?) async -> (
        applied: Bool, next: TakenJob?
    )? {
        let engine = engine
        let worker = settings.workerID
        let metrics = metrics
        let done = try? await client.run { connection -> (applied: Bool, next: TakenJob?)? in
            let beginning = try engine.begin(job, prefetched: prefetched, on: connection)
            guard let report = Self.reportWithoutRunning(beginning) else { return nil }
            let result = try engine.finish(beginning, report: report, worker: worker, next: next, on: connection)
            var following = result.next.map { TakenJob(job: $0, prefetched: result.prefetched) }
            var chained = 0
            while chained < Self.instantChainLimit, !self.isStopping, let step = following, engine.runsNothing(step.job) {
                chained += 1
                let began = ContinuousClock.now
                guard let beginning = try? engine.begin(step.job, prefetched: step.prefetched, on: connection),
                    let report = Self.reportWithoutRunning(beginning)
                else { break }
                metrics.started(step.job)
                guard let stepResult = try? engine.finish(beginning, report: report, worker: worker, next: next, on: connection) else {
                    // Begun again by the usual path, which reads its scope afresh.
                    following = TakenJob(job: step.job)
                    break
                }
                if stepResult.heldJobApplied { metrics.finished(step.job, outcome: .success(.null), ran: ContinuousClock.now - began) }
                following = stepResult.next.map { TakenJob(job: $0, prefetched: stepResult.prefetched) }
            }
            return (result.heldJobApplied, following)
        }
        return done ?? nil
    }

    /// How many steps that run nothing one slot goes through in a row on its Redis thread.
    static let instantChainLimit = 64

    /// Runs a script job (or a flow step's script) as a sandboxed process, with its own channel
    /// (``JobServices``) when it can use one (``ChannelNeed``): what it reads there — and the secrets its step was started with — is
    /// masked in its outcome and logs, and what it was refused is recorded in its logs.
    func runScript(
        _ job: JobRecord, arguments: JSONValue, timeout: Int?, gate secret: String?, beginning: StepBeginning? = nil, killer: ProcessKiller,
        client: RedisClient
    ) async -> Execution {
        let script: (language: ScriptLanguage, version: ContentCache.Version, hash: String)
        do {
            switch try await resolveScript(job, client: client) {
            case .found(let language, let version, let hash): script = (language, version, hash)
            case .missing(let message): return .plain(.failure(message), logs: "")
            }
        } catch {
            return .handBack
        }
        let services = jobServices(for: job, beginning: beginning, gateSecret: secret, client: client)
        var arguments = arguments
        // A triggered run's arguments are what an outside sender wrote: data, never `$var:`/`$res:`
        // references to resolve (else a sender could read what the script may, through its answer).
        // So are the arguments of a job another job started through its channel (a call): the
        // callee's rights must not read what its caller may not.
        if beginning == nil, job.extra[TriggerField.trigger] == nil, job.extra[CallField.calledBy] == nil {
            switch await resolveReferences(in: arguments, for: services, client: client) {
            case .success(let resolved)?: arguments = resolved
            case .failure(let failure)?: return .plain(.failure(failure.description), logs: Self.notes(services.notes + ["[sluice: \(failure)]"]))
            case nil: return .handBack
            }
        }
        var environment = job.environment
        environment["SLUICE_JOB_ID"] = job.id.rawValue
        environment["SLUICE_WORKER"] = settings.workerID
        environment["SLUICE_QUEUE"] = job.queue
        environment["SLUICE_DELIVERY"] = String(job.deliveries)
        if job.hasAttempt {
            environment["SLUICE_ATTEMPT"] = String(job.attempt)
            if job.kind == .step { environment["SLUICE_STEP_ATTEMPT"] = String(job.attempt) }
        }
        if let flowID = job.flowID { environment["SLUICE_FLOW_JOB_ID"] = flowID.rawValue }
        if let path = job.path { environment["SLUICE_SCRIPT_PATH"] = path }
        if let statePath = services.statePath { environment["SLUICE_STATE_PATH"] = statePath }
        if let gate = services.gate {
            // The gate's id and one anonymous link set ready to use; other links come through the
            // channel (the minting key never leaves the worker).
            let anonymous = ResumeLinks(publicURL: gate.publicURL, gate: gate.gate.rawValue, subject: .newAnonymous(), mintingKey: gate.mintingKey)
            environment["SLUICE_PUBLIC_URL"] = gate.publicURL
            environment["SLUICE_GATE_ID"] = gate.gate.rawValue
            environment["SLUICE_RESUME_URLS"] = anonymous.json
        }
        if job.extra[TriggerField.preprocess] == "1" {
            // The script's `preprocessor(event)` runs first and gives `main` its arguments.
            arguments = JSONValue(members: [(TriggerField.preprocessArgument, arguments["event"] ?? .null)])
        } else if job.kind == .step, job.frame == TriggerField.preprocessorFrame {
            // A flow's preprocessor step: `preprocessor(event)` is the step; its return, the flow's input.
            arguments = JSONValue(members: [(TriggerField.preprocessOnlyArgument, arguments["event"] ?? .null)])
        }
        let limit = (timeout ?? job.timeoutSeconds).map { Duration.seconds($0) } ?? settings.defaultJobTimeout
        services.setDeadline(ContinuousClock.now + limit)
        if job.deliveries > 1 {
            // Run again after its worker was lost: what the earlier run started and left unfinished goes.
            await cancelCalls(of: job, delivery: job.deliveries - 1, reason: "canceled: the job that started it (\(job.id)) is being run again")
        }
        var run = ScriptRun(
            language: script.language, content: script.version.content, arguments: arguments, environment: environment, timeout: limit,
            contentHash: script.hash, lock: script.language == .bash ? nil : script.version.lock)
        // A channel only for a script that can use one (ChannelNeed) or a gated step (its links).
        if services.gate != nil || script.version.mayUseChannel { run.channel = services }
        run.rights = services.caller
        run.services = services
        if let beginning, beginning.sameWorker { run.sharedFolder = beginning.flow.rawValue }
        // What it prints so far, redacted as its final logs are, for its page to follow while it runs.
        let (store, worker, id, delivery) = (store, settings.workerID, job.id, job.deliveries)
        run.liveLogs = { text in
            let secrets = services.secrets
            _ = try? await client.run { connection in
                try store.writeLiveLogs(id, worker: worker, delivery: delivery, logs: Self.redact(logs: text, with: secrets), on: connection)
            }
        }
        let result = await runner.run(run, label: job.id.rawValue, killer: killer)
        if killer.reason == .shuttingDown { return .handBack }
        if services.startedCalls, let why = Self.endingWithoutSuccess(result.outcome, killed: killer.reason) {
            await cancelCalls(of: job, delivery: job.deliveries, reason: "canceled: the job that started it (\(job.id)) \(why)")
        }
        services.remember(result.inherited)
        let secrets = services.secrets
        return .plain(secrets.redact(result.outcome), logs: Self.notes(services.notes) + Self.redact(logs: result.logs, with: secrets))
    }

    enum ResolvedScript {
        case found(ScriptLanguage, ContentCache.Version, hash: String)
        case missing(String)
    }

    /// The script a job runs: by content hash, or — for a flow module of `type: script` — the
    /// current version of its path.
    func resolveScript(_ job: JobRecord, client: RedisClient) async throws -> ResolvedScript {
        if let hash = job.scriptHash, let language = job.language {
            guard let version = try await scriptVersion(hash: hash, client: client) else {
                return .missing("script content \(hash) is missing from Redis")
            }
            return .found(language, version, hash: hash)
        }
        guard let path = job.path else { return .missing("the job names no script") }
        let scripts = scripts
        let pin = job.extra[FlowEngine.pinnedHashField]
        guard
            let (stored, pinned) = try await client.run({ connection -> (StoredScript, String?)? in
                guard let stored = try scripts.script(at: path, on: connection) else { return nil }
                return (stored, try pin.flatMap { try scripts.pinnedVersion($0, of: path, on: connection) })
            })
        else {
            return .missing(HubPath.isHub(path) ? HubPath.notStored(path) : "no script at '\(path)'")
        }
        // A version pin runs that version when it is stored; else, as the push warned, the current one.
        let hash = pinned ?? stored.hash
        guard let version = try await scriptVersion(hash: hash, client: client) else {
            return .missing("script content \(hash) is missing from Redis")
        }
        return .found(stored.language, version, hash: hash)
    }

    /// A script's content and lock by hash, from the cache or in one round trip.
    func scriptVersion(hash: String, client: RedisClient) async throws -> ContentCache.Version? {
        if let cached = contents.version(for: hash) { return cached }
        let scripts = scripts
        guard let (content, lock) = try await client.run({ try scripts.version(hash: hash, on: $0) }) else { return nil }
        let version = ContentCache.Version(content: content, lock: lock)
        contents.store(version, for: hash)
        return version
    }
}

import Foundation
public import SluiceCore
import SluiceFlows
public import SluiceRedis
import SluiceRuntime
public import SluiceSecrets
public import SluiceStore
import Synchronization

/// What the resumer does with a trigger once the HTTP layer has read it: checks the token against
/// the path, starts the run — at most once per delivery key — and reads runs back for the token
/// that may see them. Every method blocks on the given connection: call it from a Redis client's
/// own thread.
public struct TriggerDesk: Sendable {
    public let keys: KeySpace
    let jobs: JobStore
    let engine: FlowEngine
    let scripts: ScriptStore
    let tokens: TokenStore
    public let routes: RouteStore
    let resolver: VariableResolver
    let preprocessors: PreprocessorCache

    /// `keyring` opens the secret variables routes check signatures with (none: such routes refuse every request).
    public init(jobs: JobStore, keyring: SecretKeyring = SecretKeyring([])) {
        keys = jobs.keys
        self.jobs = jobs
        engine = FlowEngine(flows: FlowStore(keys: jobs.keys, settings: jobs.settings))
        scripts = ScriptStore(keys: jobs.keys)
        tokens = TokenStore(keys: jobs.keys)
        routes = RouteStore(keys: jobs.keys)
        resolver = VariableResolver(keys: jobs.keys, keyring: keyring)
        preprocessors = PreprocessorCache()
    }

    /// A script or flow a trigger may start.
    public struct Target: Sendable {
        public enum Runnable: Sendable {
            case script(StoredScript)
            case flow(StoredFlow)
        }

        public var path: String
        public var runnable: Runnable
        /// The token that authorized it (`nil` for a route without token authentication).
        public var token: TriggerToken?

        public var isFlow: Bool {
            if case .flow = runnable { return true }
            return false
        }
    }

    /// The script (or, with `flow`, the flow) at `path`, when `presented` is a live token whose
    /// scope covers it; `nil` otherwise — for a missing, malformed, wrong, revoked, expired or
    /// out-of-scope token exactly as for a path that holds nothing, after the same reads.
    public func authorize(presented: String?, path: String, flow: Bool, now: Int64, on connection: RedisConnection) throws(RedisError) -> Target? {
        let parsed = presented.flatMap(TokenText.init)
        // A stand-in id when the token is not one: the same reads whatever was presented.
        let read = try tokens.readForRun(tokenID: parsed?.id ?? TokenText.generate().id, path: path, on: connection)
        let admitted = read.token?.admits(secret: parsed?.secret ?? "", now: now) ?? false
        let runnable: Target.Runnable? = flow ? read.flow.map(Target.Runnable.flow) : read.script.map(Target.Runnable.script)
        guard let runnable, admitted, let token = read.token, token.mayRun(path, isFlow: flow) else { return nil }
        return Target(path: path, runnable: runnable, token: token)
    }

    /// The flow (first) or script at `path`, when `presented` is a live token whose scope covers
    /// it (a route with token authentication); `nil` otherwise, after the same reads.
    public func authorizeAny(presented: String?, path: String, now: Int64, on connection: RedisConnection) throws(RedisError) -> Target? {
        let parsed = presented.flatMap(TokenText.init)
        let read = try tokens.readForRun(tokenID: parsed?.id ?? TokenText.generate().id, path: path, on: connection)
        let admitted = read.token?.admits(secret: parsed?.secret ?? "", now: now) ?? false
        let runnable = read.flow.map(Target.Runnable.flow) ?? read.script.map(Target.Runnable.script)
        guard let runnable, admitted, let token = read.token, token.mayRun(path, isFlow: read.flow != nil) else { return nil }
        return Target(path: path, runnable: runnable, token: token)
    }

    /// The flow (first) or script at `path` with no token to check (a route that authenticates otherwise).
    public func target(path: String, on connection: RedisConnection) throws(RedisError) -> Target? {
        let read = try tokens.readForRun(tokenID: TokenText.generate().id, path: path, on: connection)
        let runnable = read.flow.map(Target.Runnable.flow) ?? read.script.map(Target.Runnable.script)
        return runnable.map { Target(path: path, runnable: $0, token: nil) }
    }

    /// How a trigger starts its run.
    public struct Launch: Sendable {
        public var queue: String
        /// Who started it, for `sluice job show` (`webhook <token name>`, `route POST /hooks/x`).
        public var trigger: String
        public var delivery: Delivery?

        public init(queue: String = JobDefaults.queue, trigger: String, delivery: Delivery? = nil) {
            self.queue = queue
            self.trigger = trigger
            self.delivery = delivery
        }
    }

    /// A run a trigger started, or the run an earlier delivery of the same key started.
    public struct Started: Sendable, Equatable {
        public var id: JobID
        public var duplicate: Bool
    }

    /// Why a trigger's input cannot start its target (a flow's schema refused it): answered 400.
    public struct InputRefusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Starts `target` with `input`: the event for a preprocessor when it has one, else the arguments.
    /// With `--ack`, returns only once the replicas hold the run (a duplicate delivery too: the
    /// earlier run may be what a failover would lose); ``RedisError/notReplicated(acknowledged:required:)``
    /// otherwise, and the sender's retry with the same delivery key starts nothing twice.
    public func start(_ target: Target, input: WebhookInput, launch: Launch, now: Int64, on connection: RedisConnection) throws -> Started {
        let started = try startRun(target, input: input, launch: launch, now: now, on: connection)
        try connection.awaitReplicas(in: jobs.keys)
        return started
    }

    private func startRun(_ target: Target, input: WebhookInput, launch: Launch, now: Int64, on connection: RedisConnection) throws -> Started {
        let id = JobID(milliseconds: UInt64(max(0, now)))
        let createdBy = target.token.map { "webhook:" + $0.name } ?? launch.trigger
        let extra: [(String, String)] = [(TriggerField.trigger, launch.trigger)]
        switch target.runnable {
        case .script(let script):
            let preprocess = try preprocessors.scriptHasPreprocessor(script, scripts: scripts, on: connection)
            var request = EnqueueRequest(
                id: id, kind: .script, queue: launch.queue, arguments: preprocess ? ["event": input.event] : input.arguments, path: script.path,
                scriptHash: script.hash, language: script.language, createdBy: createdBy, extraFields: extra)
            if preprocess { request.extraFields.append((TriggerField.preprocess, "1")) }
            request.delivery = launch.delivery
            switch try jobs.enqueueDelivered(request, on: connection) {
            case .started: return Started(id: id, duplicate: false)
            case .duplicate(let earlier): return Started(id: earlier, duplicate: true)
            }
        case .flow(let flow):
            var start = FlowEngine.Start(
                id: id, path: flow.path, input: input.arguments, queue: launch.queue, createdBy: createdBy, extraFields: extra)
            start.delivery = launch.delivery
            start.event = input.event
            do {
                let started = try engine.startDelivered(start, version: flow, on: connection)
                return Started(id: started.id, duplicate: started.duplicate)
            } catch let error as FlowStartError {
                throw InputRefusal(description: error.description)
            }
        }
    }

    /// The run `id` when `presented` is a live token whose scope covers the run's path; else `nil`,
    /// as for an unknown id.
    public func job(_ id: JobID, presented: String?, now: Int64, on connection: RedisConnection) throws(RedisError) -> JobRecord? {
        let parsed = presented.flatMap(TokenText.init)
        let read = try tokens.readForJob(tokenID: parsed?.id ?? TokenText.generate().id, job: id, on: connection)
        let admitted = read.token?.admits(secret: parsed?.secret ?? "", now: now) ?? false
        guard let job = read.job, admitted, let token = read.token, let path = job.path, job.kind == .flow || job.kind == .script,
            token.mayRun(path, isFlow: job.kind == .flow)
        else { return nil }
        return job
    }

    /// Waits up to `timeout` for `id` to finish (on a connection of its own: this blocks it).
    public func wait(for id: JobID, timeout: Duration, on connection: RedisConnection) throws(RedisError) -> JobRecord? {
        try jobs.wait(for: id, timeout: timeout, on: connection)
    }

    /// The signing secret of a route: the variable it names, read with the route's target's rights.
    public func signingSecret(_ check: SignatureCheck, target: String, on connection: RedisConnection) throws -> String? {
        let reference = Reference(.variable, check.secretVariable)
        let resolution = try resolver.resolve([reference], for: Caller(paths: [target]), on: connection)
        return (try? resolution.value(of: reference))?.stringValue
    }

    /// Takes one request from a bucket; 0 when it may go on, else the milliseconds to wait.
    public func takeRate(_ subject: String, limit: RateLimit, on connection: RedisConnection) throws(RedisError) -> Int {
        try routes.takeRate(subject, limit: limit, on: connection)
    }

    /// Redis's clock, ms.
    public func now(on connection: RedisConnection) throws(RedisError) -> Int64 {
        try connection.serverMilliseconds()
    }
}

/// Whether a script version exports a `preprocessor`, remembered per content hash (content never
/// changes under its hash).
final class PreprocessorCache: Sendable {
    private let known = Mutex<[String: Bool]>([:])

    func scriptHasPreprocessor(_ script: StoredScript, scripts: ScriptStore, on connection: RedisConnection) throws(RedisError) -> Bool {
        if let answer = known.withLock({ $0[script.hash] }) { return answer }
        let content = try scripts.version(hash: script.hash, on: connection)?.content ?? ""
        let answer = PreprocessorDetection.exports(content, language: script.language)
        known.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[script.hash] = answer
        }
        return answer
    }
}

/// Whether a script defines Windmill's `preprocessor` entry point.
public enum PreprocessorDetection {
    public static func exports(_ content: String, language: ScriptLanguage) -> Bool {
        switch language {
        case .deno: (try? TypeScriptSignature.parameterNames(in: content, entrypoint: "preprocessor")) != nil
        case .python3: content.split(separator: "\n").contains { $0.hasPrefix("def preprocessor(") || $0.hasPrefix("async def preprocessor(") }
        case .bash: false
        }
    }
}

import Foundation
import Logging
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceRuntime
import SluiceStore
import Synchronization

/// Starting, following and canceling other jobs through a job's channel (Windmill's
/// `run_script_by_path`, `runFlowAsync`, `wait_job`, `get_result`…). A job starts only what
/// ``CallRule`` allows its paths to; what it starts runs with its own script's rights, is linked
/// to it both ways, gets no more time than it has left, and is canceled if it ends without
/// success. It may follow and cancel only the jobs it started.
extension JobServices {
    static let noCalls = ChannelResponse.failure(kind: "error", message: "this job cannot start or follow other jobs")

    func start(_ target: CallTarget) async throws -> ChannelResponse {
        guard let calls else { return Self.noCalls }
        if secrets.reveals(target.arguments) {
            return .failure(
                kind: "error",
                message: "the arguments hold a secret value this job read; they would be kept in Redis in clear "
                    + "(pass the variable's path and read it in the script you start)")
        }
        let remaining = secondsLeft()
        if let remaining, remaining <= 0 { return .failure(kind: "error", message: "this job's time is up: it may start nothing more") }
        let store = CallStore(keys: calls.jobs.keys, settings: calls.jobs.settings)
        let scripts = ScriptStore(keys: calls.jobs.keys)
        let caller = caller
        let id = JobID.generate()
        let queue = target.queue ?? calls.job.queue
        let runAt = target.delaySeconds.flatMap { $0 > 0 ? Int64((Date().timeIntervalSince1970 + $0) * 1000) : nil }
        let link = calls.link
        calling.withLock { $0.started = true }
        switch target.runnable {
        case .scriptPath, .scriptHash:
            let found = try await client.run { connection -> Result<(StoredScript, String), ChannelResponse> in
                try Self.script(target.runnable, for: caller, scripts: scripts, calls: store, on: connection)
            }
            let script: StoredScript
            let hash: String
            switch found {
            case .success(let pair): (script, hash) = pair
            case .failure(let response): return refused(response)
            }
            let request = EnqueueRequest(
                id: id, kind: .script, queue: queue, arguments: target.arguments, path: script.path, scriptHash: hash, language: script.language,
                runAt: runAt, createdBy: calls.job.createdBy, timeoutSeconds: remaining.map { max(1, Int($0.rounded(.up))) })
            _ = try await client.run { try store.start(request, as: link, on: $0) }
        case .flow(let path):
            let flows = calls.engine.flows
            let allowed = try await client.run { connection -> ChannelResponse? in
                guard try flows.flow(at: path, on: connection) != nil else { return .failed("no flow at '\(path)'") }
                let rule = try store.callers(of: path, flow: true, on: connection)
                return CallRule.mayStart(path, caller: caller, callers: rule) ? nil : .failed(CallRule.startRefusal(path, caller: caller))
            }
            if let allowed { return refused(allowed) }
            var start = FlowEngine.Start(id: id, path: path, input: target.arguments, queue: queue, createdBy: calls.job.createdBy)
            start.call = link
            let engine = calls.engine
            let begin = start
            do {
                try await client.run { _ = try engine.start(begin, on: $0) }
            } catch let error as FlowStartError {
                return .failure(kind: "invalid", message: error.description)
            }
            if let runAt {
                logger.info("a flow started through a channel runs now: flows take no delay", metadata: ["job.id": "\(id)", "at": "\(runAt)"])
            }
        }
        logger.info("a job started another", metadata: ["job.id": "\(job)", "call": "\(id)"])
        return .value(.string(id.rawValue))
    }

    /// The script a call names and the version to run: the current one of a path, or the version
    /// of that hash, at the first path holding it that the caller may start.
    static func script(
        _ runnable: CallTarget.Runnable, for caller: Caller, scripts: ScriptStore, calls: CallStore, on connection: RedisConnection
    ) throws(RedisError) -> Result<(StoredScript, String), ChannelResponse> {
        switch runnable {
        case .scriptPath(let path):
            guard let script = try scripts.script(at: path, on: connection) else {
                return .failure(.failure(kind: "not_found", message: "no script at '\(path)'"))
            }
            guard CallRule.mayStart(path, caller: caller, callers: try calls.callers(of: path, flow: false, on: connection)) else {
                return .failure(.failed(CallRule.startRefusal(path, caller: caller)))
            }
            return .success((script, script.hash))
        case .scriptHash(let hash):
            let paths = try calls.paths(holdingVersion: hash, on: connection)
            guard !paths.isEmpty else { return .failure(.failed("no script has a version with hash \(hash): it does not exist")) }
            for path in paths where CallRule.mayStart(path, caller: caller, callers: try calls.callers(of: path, flow: false, on: connection)) {
                if let script = try scripts.script(at: path, on: connection) { return .success((script, hash)) }
            }
            return .failure(.failed(CallRule.startRefusal(paths[0], caller: caller)))
        case .flow(let path):
            return .failure(.invalid("'\(path)' is a flow"))
        }
    }

    /// Waits for job `id` (one this job started) to end: its result, or its failure as an error.
    /// While it waits, the job lends its worker slot (``SlotLender``). A `timeout` that passes
    /// cancels the job waited for, as Windmill's client does.
    func wait(for id: JobID, timeout: Double?) async throws -> ChannelResponse {
        guard let calls else { return Self.noCalls }
        if let refusal = try await notOwn(id) { return refusal }
        let jobs = calls.jobs
        // A job that has ended already: no wait, no slot lent.
        if let record = try await client.run({ try jobs.job(id, on: $0) }), record.state.isFinal { return Self.outcome(of: record) }
        beginWait()
        defer { endWait() }
        let store = CallStore(keys: calls.jobs.keys, settings: calls.jobs.settings)
        let waiter = RedisClient(configuration: calls.redis, label: "sluice.worker.wait")
        let clock = ContinuousClock()
        let limit = timeout.map { clock.now + .milliseconds(Int64(min($0, 31_536_000) * 1000)) }
        var watching = false
        while true {
            if Task.isCancelled { return .failure(kind: "error", message: "the wait ended with this job") }
            var slice = Duration.seconds(1)
            if let limit { slice = max(.milliseconds(10), min(slice, limit - clock.now)) }
            let (seen, stretch) = (watching, slice)
            let record = try await waiter.run { try store.waitBriefly(for: id, watching: seen, slice: stretch, on: $0) }
            watching = true
            guard let record else { return .failure(kind: "not_found", message: "job \(id) does not exist (expired?)") }
            if record.state.isFinal { return Self.outcome(of: record) }
            if let limit, clock.now >= limit {
                let reason = "canceled: its caller \(job) stopped waiting after \(Self.seconds(timeout ?? 0))"
                _ = try await client.run { try jobs.cancel(id, reason: reason, on: $0) }
                return .failure(kind: "timeout", message: "job \(id) did not finish within \(Self.seconds(timeout ?? 0)); it was canceled")
            }
        }
    }

    /// Windmill's job status of a job this job started: `WAITING`, `RUNNING` or `COMPLETED`.
    func status(of id: JobID) async throws -> ChannelResponse {
        guard let calls else { return Self.noCalls }
        if let refusal = try await notOwn(id) { return refusal }
        let jobs = calls.jobs
        guard let record = try await client.run({ try jobs.job(id, on: $0) }) else {
            return .failure(kind: "not_found", message: "job \(id) does not exist (expired?)")
        }
        switch record.state {
        case .queued, .scheduled: return .value("WAITING")
        case .running, .suspended: return .value("RUNNING")
        case .success, .failure, .canceled: return .value("COMPLETED")
        }
    }

    /// The result of a job this job started, once it succeeded; its failure as an error.
    func result(of id: JobID) async throws -> ChannelResponse {
        guard let calls else { return Self.noCalls }
        if let refusal = try await notOwn(id) { return refusal }
        let jobs = calls.jobs
        guard let record = try await client.run({ try jobs.job(id, on: $0) }) else {
            return .failure(kind: "not_found", message: "job \(id) does not exist (expired?)")
        }
        guard record.state.isFinal else { return .failure(kind: "error", message: "job \(id) has not finished (it is \(record.state.rawValue))") }
        return Self.outcome(of: record)
    }

    /// Cancels a job this job started (with what it runs and started in turn).
    func cancel(_ id: JobID, reason: String?) async throws -> ChannelResponse {
        guard let calls else { return Self.noCalls }
        if let refusal = try await notOwn(id) { return refusal }
        let jobs = calls.jobs
        let text = "canceled by its caller \(job)" + (reason.map { ": " + $0 } ?? "")
        _ = try await client.run { try jobs.cancel(id, reason: text, on: $0) }
        return .value(.null)
    }

    /// The refusal for a job this job did not start, or `nil`.
    func notOwn(_ id: JobID) async throws -> ChannelResponse? {
        guard let calls else { return Self.noCalls }
        let store = CallStore(keys: calls.jobs.keys, settings: calls.jobs.settings)
        let parent = job
        if try await client.run({ try store.isCall(id, of: parent, on: $0) }) { return nil }
        return .failure(
            kind: "permission", message: "permission denied: job \(id) was not started by this job (a job follows only the jobs it started)")
    }

    /// A finished job as a call's answer: its result, or an error naming it.
    static func outcome(of record: JobRecord) -> ChannelResponse {
        let name = record.path.map { "job \(record.id) (\($0))" } ?? "job \(record.id)"
        switch record.state {
        case .success: return .value(record.result ?? .null)
        case .canceled: return .failure(kind: "job_failed", message: "\(name) was canceled: \(record.error ?? "no reason given")")
        default: return .failure(kind: "job_failed", message: "\(name) failed: \(record.error ?? "no error given")")
        }
    }

    /// A refusal, also recorded in the job's logs.
    func refused(_ response: ChannelResponse) -> ChannelResponse {
        if case .failure(let kind, let message) = response, kind == "permission" {
            remember(SecretRedactor(), notes: ["[sluice: \(message)]"])
            logger.info("a job was refused a call", metadata: ["job.id": "\(job)", "refusal": "\(message)"])
        }
        return response
    }

    /// Seconds left before the job's timeout, or `nil` when it has none known.
    func secondsLeft() -> Double? {
        guard let deadline = calling.withLock({ $0.deadline }) else { return nil }
        let left = deadline - ContinuousClock.now
        return Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
    }

    /// The job starts waiting: the first wait lends its slot.
    func beginWait() {
        let lender = calls?.lender
        calling.withLock { calling in
            calling.waits += 1
            if calling.waits == 1 { calling.loan = lender?.lend() }
        }
    }

    /// A wait ended: the last one takes the slot back.
    func endWait() {
        let loan = calling.withLock { calling -> SlotLender.Loan? in
            calling.waits -= 1
            guard calling.waits == 0 else { return nil }
            defer { calling.loan = nil }
            return calling.loan
        }
        loan?.end()
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}

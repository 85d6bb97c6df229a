import Foundation
import Logging
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// Runs a `WorkerService` in-process for a test, on its own key space, and stops it afterwards.
struct WorkerHarness {
    let store: JobStore
    let server: RedisServer

    init(server: RedisServer, keys: KeySpace) {
        self.server = server
        self.store = JobStore(keys: keys)
    }

    func settings(id: String = "test-worker", concurrency: Int = 2, lease: Duration = .seconds(5), jobTimeout: Duration = .seconds(30))
        -> WorkerSettings
    {
        WorkerSettings(
            workerID: id, queues: ["default"], concurrency: concurrency, lease: lease, defaultJobTimeout: jobTimeout,
            idleWait: .milliseconds(200), redis: server.configuration)
    }

    /// Starts a worker, runs `body`, then stops the worker and waits for it to end.
    func withWorker<Result: Sendable>(
        _ settings: WorkerSettings? = nil,
        runner: ScriptRunner = ScriptRunner(settings: ScriptRunnerSettings()),
        _ body: (WorkerService) async throws -> Result
    ) async throws -> Result {
        let worker = WorkerService(settings: settings ?? self.settings(), store: store, runner: runner, logger: Logger(label: "test.worker"))
        let task = Task { try await worker.run() }
        defer { worker.stopTakingJobs() }
        let result = try await body(worker)
        worker.stopTakingJobs()
        // A worker that could not start (its scratch space, its sandbox probe) takes no job: say
        // why, instead of leaving only a job that stayed queued.
        do { try await task.value } catch { Issue.record("the worker ended with an error: \(error)") }
        return result
    }

    /// Pushes a script and queues a run of it; returns the job id.
    func run(
        _ language: ScriptLanguage, _ content: String, arguments: JSONValue = [:], timeoutSeconds: Int? = nil, environment: [String: String] = [:],
        lock: String? = nil
    ) throws -> JobID {
        let connection = try server.connect()
        let path = try #require(ScriptPath("f/test/\(UUID().uuidString.prefix(8).lowercased())"))
        // The lock is content-addressed: give each locked run its own content.
        let content = lock == nil ? content : content + "\n# run \(UUID().uuidString)\n"
        let (hash, _) = try ScriptStore(keys: store.keys).push(path: path, language: language, content: content, lock: lock, on: connection)
        let id = JobID.generate()
        try store.enqueue(
            EnqueueRequest(
                id: id, kind: .script, arguments: arguments, path: path.rawValue, scriptHash: hash, language: language,
                timeoutSeconds: timeoutSeconds, environment: environment),
            on: connection)
        return id
    }

    /// Waits until job `id` runs (up to `timeout`); fails the test if it ends or never starts
    /// meanwhile — a bare loop on `state != .running` spins for ever when a loaded machine lets
    /// the job end between two looks.
    func waitUntilRunning(_ id: JobID, timeout: Duration = .seconds(60)) async throws {
        let connection = try server.connect()
        let deadline = ContinuousClock.now + timeout
        var state = try store.job(id, on: connection)?.state
        while state != .running, state?.isFinal != true, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            state = try store.job(id, on: connection)?.state
        }
        try #require(state == .running, "job \(id) was never seen running (\(state.map(\.rawValue) ?? "missing"))")
    }

    /// Waits for a job to finish (up to 60 s) and returns it.
    func finished(_ id: JobID, timeout: Duration = .seconds(60)) async throws -> JobRecord {
        let client = RedisClient(configuration: server.configuration)
        let store = store
        let job = try await client.run { try store.wait(for: id, timeout: timeout, on: $0) }
        let found = try #require(job)
        if !found.state.isFinal, ProcessInfo.processInfo.environment["SLUICE_TEST_DUMP"] != nil {
            let connection = try server.connect()
            print("FLOW", found.id, try connection.send("HGETALL", .string(store.keys.job(id))).array?.compactMap(\.string) ?? [])
            print("FRAMES", try connection.send("HGETALL", .string(store.keys.flowFrames(id))).array?.compactMap(\.string) ?? [])
            for step in try FlowStore(keys: store.keys).steps(of: id, on: connection) {
                print("STEP", try connection.send("HGETALL", .string(store.keys.job(step))).array?.compactMap(\.string) ?? [])
            }
        }
        return found
    }
}

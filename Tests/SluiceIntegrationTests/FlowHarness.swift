import Foundation
import Logging
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceRuntime
import SluiceScheduler
import SluiceStore
import SluiceTesting
import Testing

extension WorkerHarness {
    var flows: FlowStore { FlowStore(keys: store.keys, settings: store.settings) }

    var engine: FlowEngine { FlowEngine(flows: flows) }

    /// Pushes a flow given as YAML and starts a run; returns the flow's job id.
    func startFlow(_ yaml: String, input: JSONValue = [:], path: String? = nil, createdBy: String? = nil, maxDeliveries: Int = 3) throws -> JobID {
        let connection = try server.connect()
        let flowPath = try #require(ScriptPath(path ?? "f/test/flow-\(UUID().uuidString.prefix(8).lowercased())"))
        let engine = engine
        _ = try engine.push(path: flowPath, text: yaml, on: connection)
        let id = JobID.generate()
        try engine.start(
            FlowEngine.Start(id: id, path: flowPath.rawValue, input: input, createdBy: createdBy, maxDeliveries: maxDeliveries), on: connection)
        return id
    }

    /// Pushes a flow given as YAML under `path` (for subflows).
    func pushFlow(_ yaml: String, path: String) throws {
        let flowPath = try #require(ScriptPath(path))
        _ = try engine.push(path: flowPath, text: yaml, on: try server.connect())
    }

    /// The flow's step jobs, in order.
    func steps(of id: JobID) throws -> [JobRecord] {
        let connection = try server.connect()
        return try flows.steps(of: id, on: connection).compactMap { try store.job($0, on: connection) }
    }

    /// Runs a scheduler in-process while `body` runs.
    func withScheduler<Result: Sendable>(flowQuiet: Duration = .seconds(60), _ body: () async throws -> Result) async throws -> Result {
        let scheduler = SchedulerService(
            settings: SchedulerSettings(
                redis: server.configuration, maximumIdle: .milliseconds(200), reapInterval: .milliseconds(100), flowQuiet: flowQuiet),
            store: store, logger: Logger(label: "test.scheduler"))
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        return try await body()
    }
}

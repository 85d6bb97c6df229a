import Foundation
import Logging
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceScheduler
import SluiceStore
import SluiceTesting
import Testing

extension WorkerHarness {
    var flows: FlowStore { FlowStore(keys: store.keys, settings: store.settings) }

    /// Pushes a flow given as YAML and starts a run; returns the flow's job id.
    func startFlow(_ yaml: String, input: JSONValue = [:], path: String? = nil, createdBy: String? = nil, maxDeliveries: Int = 3) throws -> JobID {
        let connection = try server.connect()
        let flowPath = try #require(ScriptPath(path ?? "f/test/flow-\(UUID().uuidString.prefix(8).lowercased())"))
        let canonical = try FlowParser().canonicalDocument(yaml)
        try flows.push(path: flowPath, document: canonical.document, definition: canonical.flow.definition, on: connection)
        let stored = try #require(try flows.flow(at: flowPath.rawValue, on: connection))
        var validated = input
        if let schema = canonical.flow.definition.schema { validated = try JSONSchema(schema).validate(input) }
        let id = newJobID()
        let stepper = FlowStepper(definition: canonical.flow.definition, evaluator: JavaScriptSubsetEvaluator())
        try FlowRun(flows: flows).start(
            FlowRun.Start(id: id, path: flowPath.rawValue, input: validated, createdBy: createdBy, maxDeliveries: maxDeliveries), flow: stored,
            stepper: stepper, on: connection)
        return id
    }

    /// The flow's step jobs, in order.
    func steps(of id: JobID) throws -> [JobRecord] {
        let connection = try server.connect()
        return try flows.steps(of: id, on: connection).compactMap { try store.job($0, on: connection) }
    }

    /// Runs a scheduler in-process while `body` runs.
    func withScheduler<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let scheduler = SchedulerService(
            settings: SchedulerSettings(redis: server.configuration, maximumIdle: .milliseconds(200), reapInterval: .milliseconds(100)),
            store: store, logger: Logger(label: "test.scheduler"))
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        return try await body()
    }
}

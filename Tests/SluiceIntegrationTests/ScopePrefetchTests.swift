import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting
import Testing

/// `advance_flow` reads the scope of the step it creates when it takes that step as the worker's
/// next job, so the worker begins it without reading again.
@Suite("Scope read ahead by advance_flow", .serialized)
struct ScopePrefetchTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let flow = """
        value:
          modules:
            - id: a
              value: {type: rawscript, language: bash, content: "echo 1"}
            - id: b
              value:
                type: rawscript
                language: bash
                content: 'echo "$1"'
                input_transforms:
                  x: {type: javascript, expr: "results.a.n + flow_input.k"}
        """

    static let next = JobStore.NextJob(queues: ["default"], leaseMilliseconds: 30_000)

    @Test("the step a report creates and takes comes with its scope, read after the report applied, and begins as a fresh read would")
    func prefetchedWhenTaken() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let connection = try server.connect()
        let engine = harness.engine
        _ = try harness.startFlow(Self.flow, input: ["k": 2])
        let first = try #require(try harness.store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        let beginning = try engine.begin(first, on: connection)
        let result = try engine.finish(
            beginning, report: FlowEngine.StepReport(outcome: .success(["n": 40]), logs: "ran\n"), worker: "w", next: Self.next, on: connection)
        // A script step's logs expire with it.
        #expect((try connection.send("TTL", .string(harness.store.keys.jobLogs(first.id))).integer ?? -1) > 0)
        let second = try #require(result.next)
        #expect(second.kind == .step && second.cursor == 1)
        let prefetched = try #require(result.prefetched)
        // a's result was written by the same call, before the read.
        #expect(prefetched.results.values.contains(["n": 40]))
        let ahead = try engine.begin(second, prefetched: prefetched, on: connection)
        let fresh = try engine.begin(second, on: connection)
        #expect(ahead.start == fresh.start)
        #expect(ahead.isCurrent && fresh.isCurrent)
        guard case .run(let invocation) = ahead.start else {
            Issue.record("step b does not run: \(ahead.start)")
            return
        }
        #expect(invocation.arguments == ["x": 42])
    }

    @Test("when the job taken next is another, nothing is read ahead and the step begins with a read of its own")
    func notPrefetchedForAnotherJob() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let connection = try server.connect()
        let engine = harness.engine
        _ = try harness.startFlow(Self.flow, input: ["k": 2])
        let first = try #require(try harness.store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        let other = JobID.generate()
        try harness.store.enqueue(EnqueueRequest(id: other, kind: .identity, queue: "default"), on: connection)
        let result = try engine.finish(
            try engine.begin(first, on: connection), report: FlowEngine.StepReport(outcome: .success(["n": 1])), worker: "w", next: Self.next,
            on: connection)
        #expect(result.next?.id == other)
        #expect(result.prefetched == nil)
        let second = try #require(try harness.store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        guard case .run(let invocation) = try engine.begin(second, on: connection).start else {
            Issue.record("step b does not run")
            return
        }
        #expect(invocation.arguments == ["x": 3])
    }
}

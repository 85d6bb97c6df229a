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
@Suite("Flow steps: scope read ahead by advance_flow, steps that run nothing in a row", .serialized)
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

    /// Starts the flow (`k` = 2) in a fresh key space and takes its first step as worker `w`.
    func startAndTakeFirstStep() throws -> (WorkerHarness, RedisConnection, JobRecord) {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let connection = try server.connect()
        _ = try harness.startFlow(Self.flow, input: ["k": 2])
        let first = try #require(try harness.store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        return (harness, connection, first)
    }

    @Test("the step a report creates and takes comes with its scope, read after the report applied, and begins as a fresh read would")
    func prefetchedWhenTaken() async throws {
        let (harness, connection, first) = try startAndTakeFirstStep()
        let engine = harness.engine
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

    static let inputFlow = """
        value:
          modules:
            - id: a
              value:
                type: rawscript
                language: bash
                content: 'echo "$1"'
                input_transforms:
                  x: {type: javascript, expr: "flow_input.k * 10"}
        """

    @Test(
        "a flow's first step taken by fetch_job comes with its scope, read at the take, and is begun from it; a request other than the step's own, or one that is not a request, is not used"
    )
    func firstStepCarriesItsScope() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let connection = try server.connect()
        let engine = harness.engine
        let flow = try harness.startFlow(Self.inputFlow, input: ["k": 2])
        let taken = try #require(try harness.store.take(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        let scope = try #require(taken.scope)
        #expect(scope.flowFields[JobRecord.Field.arguments.rawValue] == #"{"k":2}"#)
        // Changed after the take: the step begun from what the take read sees k = 2; a fresh read, 3.
        _ = try connection.send("HSET", .string(harness.store.keys.job(flow)), .string(JobRecord.Field.arguments.rawValue), #"{"k":3}"#)
        guard case .run(let ahead) = try engine.begin(taken.job, prefetched: scope, on: connection).start,
            case .run(let fresh) = try engine.begin(taken.job, on: connection).start
        else {
            Issue.record("step a does not run")
            return
        }
        #expect(ahead.arguments == ["x": 20])
        #expect(fresh.arguments == ["x": 30])

        // A first step whose stored request asks something else (another version wrote it): the
        // snapshot is not used, the step reads its own scope.
        let other = try harness.startFlow(Self.inputFlow, input: ["k": 4])
        #expect(try JobStore(keys: harness.store.keys).job(other, on: connection)?.state == .running)
        let queued = try #require(
            try connection.send("LRANGE", .string(harness.store.keys.queue("default")), "0", "-1").array?.compactMap(\.string).first)
        _ = try connection.send(
            "HSET", .string(harness.store.keys.job(try #require(JobID(queued)))), .string(FlowSnapshot.Request.stepField),
            #"{"fields":["state"],"records":[],"results":[],"items":[]}"#)
        let mismatched = try #require(try harness.store.take(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        #expect(mismatched.scope?.request.flowFields == ["state"])
        guard case .run(let own) = try engine.begin(mismatched.job, prefetched: mismatched.scope, on: connection).start else {
            Issue.record("step a of the second flow does not run")
            return
        }
        #expect(own.arguments == ["x": 40])

        // Not a request at all: taken as usual, nothing read ahead.
        _ = try harness.startFlow(Self.inputFlow, input: ["k": 5])
        let third = try #require(
            try connection.send("LRANGE", .string(harness.store.keys.queue("default")), "0", "-1").array?.compactMap(\.string).first)
        _ = try connection.send(
            "HSET", .string(harness.store.keys.job(try #require(JobID(third)))), .string(FlowSnapshot.Request.stepField), "not json")
        let plain = try #require(try harness.store.take(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        #expect(plain.job.id.rawValue == third)
        #expect(plain.scope == nil)
        // A request of the right shape whose reads Redis refuses (no flow fields to HMGET): taken,
        // under its lease, nothing read ahead.
        _ = try harness.startFlow(Self.inputFlow, input: ["k": 6])
        let fourth = try #require(
            try connection.send("LRANGE", .string(harness.store.keys.queue("default")), "0", "-1").array?.compactMap(\.string).first)
        _ = try connection.send(
            "HSET", .string(harness.store.keys.job(try #require(JobID(fourth)))), .string(FlowSnapshot.Request.stepField),
            #"{"fields":[],"records":[],"results":[],"items":[]}"#)
        let unread = try #require(try harness.store.take(worker: "w", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        #expect(unread.job.id.rawValue == fourth && unread.scope == nil)
        #expect(try connection.send("ZSCORE", .string(harness.store.keys.leases), .string(fourth)).string != nil)
    }

    @Test("when the job taken next is another, nothing is read ahead and the step begins with a read of its own")
    func notPrefetchedForAnotherJob() async throws {
        let (harness, connection, first) = try startAndTakeFirstStep()
        let engine = harness.engine
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

    @Test(
        "identity steps with a skip_if and a script step among them run once each, in order, with the right input — before the worker has the flow's definition and after (when the steps that run nothing go in a row on its Redis thread)"
    )
    func chainedSteps() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 1)) { _ in
            let yaml = """
                value:
                  modules:
                    - id: a
                      value: {type: identity}
                    - id: b
                      value: {type: identity}
                    - id: c
                      skip_if: {expr: 'flow_input.skip'}
                      value: {type: identity}
                    - id: d
                      value:
                        type: rawscript
                        language: bash
                        content: |
                          x="$1"
                          echo "$(( x + 1 ))"
                        input_transforms:
                          x: {type: javascript, expr: previous_result.n}
                    - id: e
                      value: {type: identity}
                    - id: f
                      value: {type: identity}
                """
            // Twice: the first run makes the worker read the definition (a step it has not read
            // takes the usual path), the second goes through the row.
            for _ in 0..<2 {
                let id = try harness.startFlow(yaml, input: ["n": 41, "skip": true], path: "f/test/chained")
                let flow = try await harness.finished(id)
                #expect(flow.state == .success, "\(flow.error ?? "")")
                #expect(flow.result == 42)
                let steps = try harness.steps(of: id)
                #expect(steps.compactMap { $0.extra["module_id"] } == ["a", "b", "c", "d", "e", "f"])
                #expect(steps.allSatisfy { $0.state == .success && $0.deliveries == 1 })
                #expect(steps.map { $0.extra["skipped"] == "1" } == [false, false, true, false, false, false])
                #expect(steps.first?.result == ["n": 41, "skip": true])
            }
        }
    }
}

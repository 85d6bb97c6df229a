import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// The flow audit: a flow run that nothing can move any more is failed with an error saying why;
/// one that waits — for a worker, a gate, a delay — is left alone.
@Suite("Stuck flows are found and failed", .serialized)
struct FlowAuditTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let twoSteps = """
        value:
          modules:
            - id: a
              value: {type: rawscript, language: bash, content: 'echo a'}
            - id: b
              value: {type: rawscript, language: bash, content: 'echo b'}
        """

    static let gated = """
        value:
          modules:
            - id: ask
              value: {type: identity}
              suspend: {required_events: 1, timeout: 3600}
            - id: after
              value: {type: identity}
        """

    @Test("a flow whose current step ended without moving it, and whose last event failed, is failed; waiting flows are left alone")
    func stuckFlowFailed() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let connection = try server.connect()
        let keys = harness.store.keys
        // The parked flow needs a worker to reach its gate: run one until it is suspended.
        let parked = try harness.startFlow(Self.gated)
        try await harness.withWorker { _ in
            for _ in 0..<500 where try harness.store.job(parked, on: connection)?.state != .suspended {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(try harness.store.job(parked, on: connection)?.state == .suspended)
        // No worker runs from here on: the first steps wait in their queue.
        let waiting = try harness.startFlow(Self.twoSteps)
        let stuck = try harness.startFlow(Self.twoSteps)
        // Wedge `stuck`: its step ended (as if its report had been applied) but the flow never
        // moved on, and the event that should have moved it failed.
        let step = try #require(try harness.steps(of: stuck).first)
        let event = JobID.generate()
        try connection.send(["LREM", .string(keys.queue(step.queue)), "0", .string(step.id.rawValue)])
        try connection.send(["HSET", .string(keys.job(step.id)), "state", "success"])
        try connection.send([
            "HSET", .string(keys.job(event)), "id", .string(event.rawValue), "kind", "flow_event", "state", "failure", "error",
            "invalid JSON at byte 9: nesting deeper than 512",
        ])
        try connection.send(["HSET", .string(keys.job(stuck)), "last_event", .string(event.rawValue)])
        try await harness.withScheduler(flowQuiet: .milliseconds(300)) {
            var state = try harness.store.job(stuck, on: connection)?.state
            for _ in 0..<300 where state != .failure {
                try await Task.sleep(for: .milliseconds(20))
                state = try harness.store.job(stuck, on: connection)?.state
            }
            // Several quiet periods more: the waiting flows stay as they are.
            try await Task.sleep(for: .milliseconds(1500))
        }
        let failed = try #require(try harness.store.job(stuck, on: connection))
        #expect(failed.state == .failure)
        #expect(failed.error?.contains("the flow was stuck: nothing was queued, running or parked for it") == true, "\(failed.error ?? "")")
        #expect(failed.error?.contains("its last flow event \(event.rawValue) ended failure: invalid JSON at byte 9") == true)
        #expect(try harness.store.job(waiting, on: connection)?.state == .running)
        #expect(try harness.store.job(parked, on: connection)?.state == .suspended)
        // Ended flows leave the index; waiting ones stay in it.
        let active = try connection.send(["ZRANGE", .string(keys.activeFlows), "0", "-1"]).array?.compactMap(\.string) ?? []
        #expect(Set(active) == [waiting.rawValue, parked.rawValue])
    }
}

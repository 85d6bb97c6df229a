import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

@Suite("Flows running on real workers and Redis", .serialized)
struct FlowTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("a linear flow of python and bash steps passes data along; one job per step")
    func linear() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let id = try harness.startFlow(
                """
                schema:
                  type: object
                  properties:
                    name: {type: string}
                    times: {type: integer, default: 2}
                  required: [name]
                value:
                  modules:
                    - id: greet
                      value:
                        type: rawscript
                        language: python3
                        content: |
                          def main(name: str, times: int):
                              return {"text": ", ".join([f"hi {name}"] * times), "count": times}
                        input_transforms:
                          name: {type: javascript, expr: flow_input.name}
                          times: {type: javascript, expr: flow_input.times}
                    - id: shout
                      value:
                        type: rawscript
                        language: bash
                        content: |
                          text="$1"
                          echo "$text" | tr a-z A-Z
                        input_transforms:
                          text: {type: javascript, expr: results.greet.text}
                    - id: pack
                      value:
                        type: rawscript
                        language: python3
                        content: |
                          def main(loud, count):
                              return {"loud": loud, "count": count}
                        input_transforms:
                          loud: {type: javascript, expr: previous_result}
                          count: {type: javascript, expr: results.greet.count}
                """,
                input: ["name": "ada"])
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result?["loud"] == "HI ADA, HI ADA")
            #expect(flow.result?["count"] == 2)
            let steps = try harness.steps(of: id)
            #expect(steps.map { $0.extra["module_id"] } == ["greet", "shout", "pack"])
            #expect(steps.allSatisfy { $0.state == .success && $0.flowID == id })
        }
    }

    @Test("the flow's job id reaches its steps' scripts")
    func flowJobID() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: env
                      value: {type: rawscript, language: bash, content: 'echo "$SLUICE_FLOW_JOB_ID"'}
                """)
            #expect(try await harness.finished(id).result == .string(id.rawValue))
        }
    }

    @Test("a step that fails twice succeeds on its 3rd attempt; each attempt is its own job")
    func retriesSucceed() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withScheduler {
            try await harness.withWorker { _ in
                let id = try harness.startFlow(
                    """
                    value:
                      modules:
                        - id: flaky
                          value:
                            type: rawscript
                            language: bash
                            content: |
                              n="$SLUICE_STEP_ATTEMPT"
                              if [ "$n" -lt 3 ]; then echo "attempt $n fails" >&2; exit 1; fi
                              echo "{\\"attempts\\": $n}"
                            input_transforms: {}
                          retry:
                            constant: {attempts: 3, seconds: 0.1}
                    """)
                let flow = try await harness.finished(id)
                #expect(flow.state == .success)
                #expect(flow.result == ["attempts": 3])
                let steps = try harness.steps(of: id)
                #expect(steps.map(\.state) == [.failure, .failure, .success])
                #expect(steps.map { $0.extra["attempt"] } == ["1", "2", "3"])
            }
        }
    }

    @Test("exponential backoff: each retry waits in the delayed set for multiplier × seconds^n")
    func exponentialBackoff() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withScheduler {
            try await harness.withWorker { _ in
                let id = try harness.startFlow(
                    """
                    value:
                      modules:
                        - id: failing
                          value: {type: rawscript, language: bash, content: 'exit 1'}
                          retry:
                            exponential: {attempts: 3, multiplier: 0.1, seconds: 2}
                    """)
                let flow = try await harness.finished(id)
                #expect(flow.state == .failure)
                #expect(flow.error?.contains("failed after 4 attempts") == true)
                let steps = try harness.steps(of: id)
                #expect(steps.count == 4)
                // Each retry was created as a scheduled job whose run-at is its delay after the
                // previous attempt finished (both on Redis's clock): 0.2 s, 0.4 s, 0.8 s.
                let delays = zip(steps, steps.dropFirst()).map { previous, retry -> Int64 in
                    (retry.scheduledFor ?? 0) - (previous.finishedAt ?? 0)
                }
                #expect(delays.count == 3)
                for (delay, expected) in zip(delays, [200, 400, 800] as [Int64]) {
                    #expect(abs(delay - expected) <= 5, "delay \(delay) ms, expected \(expected) ms")
                }
                #expect(steps.dropFirst().allSatisfy { ($0.startedAt ?? 0) >= ($0.scheduledFor ?? .max) })
            }
        }
    }

    @Test("sleep delays the next step through the delayed set")
    func sleep() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withScheduler {
            try await harness.withWorker { _ in
                let id = try harness.startFlow(
                    """
                    value:
                      modules:
                        - id: first
                          value: {type: identity}
                          sleep: {type: javascript, expr: '0.3'}
                        - id: second
                          value: {type: identity}
                    """, input: ["x": 1])
                let flow = try await harness.finished(id)
                #expect(flow.state == .success)
                let steps = try harness.steps(of: id)
                let waited = (steps[1].scheduledFor ?? 0) - (steps[0].finishedAt ?? 0)
                #expect(abs(waited - 300) <= 5)
                #expect((steps[1].startedAt ?? 0) >= (steps[1].scheduledFor ?? .max))
            }
        }
    }

    @Test("stop_after_if ends the flow early, skipped or not; later steps never run")
    func earlyStop() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            for skip in [false, true] {
                let id = try harness.startFlow(
                    """
                    value:
                      modules:
                        - id: check
                          value:
                            type: rawscript
                            language: bash
                            content: 'echo "{\\"nothing_to_do\\": true}"'
                          stop_after_if: {expr: result.nothing_to_do, skip_if_stopped: \(skip)}
                        - id: never
                          value: {type: rawscript, language: bash, content: 'echo ran'}
                    """)
                let flow = try await harness.finished(id)
                #expect(flow.state == .success)
                #expect(flow.result == ["nothing_to_do": true])
                #expect((flow.extra["skipped"] == "1") == skip)
                #expect(try harness.steps(of: id).count == 1)
            }
        }
    }

    @Test("a failing step runs the failure module with the error, and the flow fails")
    func failureModule() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: broken
                      value: {type: rawscript, language: python3, content: "def main():\\n    raise RuntimeError('no disk')\\n"}
                  failure_module:
                    id: failure
                    value:
                      type: rawscript
                      language: bash
                      content: 'message="$1"; echo "{\\"notified\\": true}"'
                      input_transforms:
                        message: {type: javascript, expr: error.message}
                """)
            let flow = try await harness.finished(id)
            #expect(flow.state == .failure)
            #expect(flow.error?.contains("RuntimeError: no disk") == true)
            let steps = try harness.steps(of: id)
            #expect(steps.map { $0.extra["module_id"] } == ["broken", "failure"])
            #expect(steps.last?.result == ["notified": true])
        }
    }

    @Test("a step whose workers keep dying fails after max_deliveries, and its flow moves on (here: to the retry)")
    func stepLost() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let connection = try server.connect()
        let id = try harness.startFlow(
            """
            value:
              modules:
                - id: doomed
                  value: {type: rawscript, language: bash, content: 'echo "{\\"attempt\\": 2}"'}
                  retry:
                    constant: {attempts: 1, seconds: 0}
            """, maxDeliveries: 1)
        // A worker takes the step and dies: its lease expires, and one delivery was all it had.
        let taken = try #require(try harness.store.fetch(worker: "dead", queues: ["default"], leaseMilliseconds: 50, on: connection))
        #expect(taken.kind == .step)
        try await Task.sleep(for: .milliseconds(120))
        #expect(try harness.store.reclaimExpiredLeases(on: connection) == (0, 1, .zero))
        #expect(try harness.store.job(taken.id, on: connection)?.error?.contains("worker lost") == true)
        try await harness.withWorker { _ in
            let flow = try await harness.finished(id)
            #expect(flow.state == .success)
            #expect(flow.result == ["attempt": 2])
            let steps = try harness.steps(of: id)
            #expect(steps.map(\.state) == [.failure, .success])
        }
    }

    @Test("canceling a flow cancels its running step and kills its process")
    func cancelFlow() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        // One slot: the job after the cancel runs only once the step's process is gone.
        try await harness.withWorker(harness.settings(concurrency: 1, lease: .milliseconds(600))) { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: slow
                      value: {type: rawscript, language: bash, content: 'sleep 300'}
                    - id: never
                      value: {type: identity}
                """)
            let connection = try server.connect()
            var step: JobRecord?
            while step?.state != .running {
                try await Task.sleep(for: .milliseconds(20))
                step = try harness.steps(of: id).first
            }
            #expect(try harness.store.cancel(id, reason: "stop the release", on: connection) == .running)
            let flow = try await harness.finished(id)
            #expect(flow.state == .canceled)
            #expect(flow.error == "stop the release")
            let stepID = try #require(step?.id)
            #expect(try harness.store.job(stepID, on: connection)?.state == .canceled)
            // The slot is free again once the process is killed.
            let next = try harness.run(.bash, "echo free\n")
            #expect(try await harness.finished(next, timeout: .seconds(30)).result == "free")
            #expect(try harness.steps(of: id).count == 1)
        }
    }
}

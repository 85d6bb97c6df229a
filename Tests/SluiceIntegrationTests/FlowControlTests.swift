import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// Branches, loops, subflows and per-module options, run by real workers against a real redis-server.
@Suite("Flow control: branches, loops, subflows", .serialized)
struct FlowControlTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("forloopflow: each element as flow_input.iter, the result is each iteration's last result, in order; sequential and parallel")
    func forLoop() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 4)) { _ in
            for parallel in ["false", "true"] {
                let id = try harness.startFlow(
                    """
                    value:
                      modules:
                        - id: loop
                          value:
                            type: forloopflow
                            iterator: {type: javascript, expr: flow_input.items}
                            parallel: \(parallel)
                            parallelism: {type: static, value: 2}
                            skip_failures: false
                            modules:
                              - id: double
                                value:
                                  type: rawscript
                                  language: bash
                                  content: |
                                    n="$1"
                                    i="$2"
                                    echo "{\\"n\\": $((n * 2)), \\"i\\": $i}"
                                  input_transforms:
                                    n: {type: javascript, expr: flow_input.iter.value}
                                    i: {type: javascript, expr: flow_input.iter.index}
                              - id: keep
                                value: {type: identity}
                        - id: after
                          value:
                            type: rawscript
                            language: bash
                            content: |
                              all="$1"
                              echo "$all"
                            input_transforms:
                              all: {type: javascript, expr: 'results.loop.map(r => r.n)'}
                    """, input: ["items": [3, 1, 4, 1, 5]])
                let flow = try await harness.finished(id)
                #expect(flow.state == .success, "\(flow.error ?? "")")
                #expect(flow.result == [6, 2, 8, 2, 10])
                let steps = try harness.steps(of: id)
                // The loop's own step, two per iteration, the one after.
                #expect(steps.count == 12)
            }
        }
    }

    @Test("branchone: the first branch whose expr holds runs, else the default; an empty branch passes the previous result")
    func branchOne() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let yaml = """
            value:
              modules:
                - id: pick
                  value:
                    type: branchone
                    branches:
                      - summary: big
                        expr: flow_input.n > 10
                        modules:
                          - id: big
                            value: {type: rawscript, language: bash, content: 'echo "\\"big\\""', input_transforms: {}}
                      - summary: zero
                        expr: flow_input.n === 0
                        modules: []
                    default:
                      - id: small
                        value: {type: rawscript, language: bash, content: 'echo "\\"small\\""', input_transforms: {}}
            """
        try await harness.withWorker { _ in
            let big = try harness.startFlow(yaml, input: ["n": 50])
            let small = try harness.startFlow(yaml, input: ["n": 5])
            let zero = try harness.startFlow(yaml, input: ["n": 0])
            let bigFlow = try await harness.finished(big)
            #expect(bigFlow.result == "big", "\(bigFlow.result?.jsonText ?? bigFlow.error ?? "")")
            #expect(try await harness.finished(small).result == "small")
            #expect(try await harness.finished(zero).result == ["n": 0])
        }
    }

    @Test(
        "an empty child takes the previous result — a loop without modules, a branchall's empty branch — and only a container that may have one stores it in its record"
    )
    func emptyChildren() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let big = String(repeating: "x", count: 5000)
        let yaml = """
            value:
              modules:
                - id: loop
                  value:
                    type: forloopflow
                    iterator: {type: javascript, expr: '[1, 2]'}
                    parallel: false
                    skip_failures: false
                    modules: []
                - id: all
                  value:
                    type: branchall
                    parallel: true
                    branches:
                      - modules: []
                      - modules:
                          - id: one
                            value: {type: identity}
                - id: full
                  value:
                    type: forloopflow
                    iterator: {type: javascript, expr: '[1, 2, 3]'}
                    parallel: true
                    skip_failures: false
                    modules:
                      - id: each
                        value: {type: identity}
            """
        try await harness.withWorker { _ in
            let id = try harness.startFlow(yaml, input: ["n": 7, "big": .string(big)])
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            let input: JSONValue = ["n": 7, "big": .string(big)]
            let connection = try server.connect()
            func result(_ field: String) throws -> JSONValue? {
                try connection.send("HGET", .string(harness.store.keys.flowResults(id)), .string(field)).string.flatMap {
                    try? JSONValue(parsing: $0)
                }
            }
            // The loop's empty iterations take its previous result, the flow's input.
            #expect(try result("loop") == [input, input])
            // The empty branch takes the branches' input, as the identity branch does.
            let all = try result("all")
            #expect(all == [input, input], "\(all?.jsonText.prefix(300) ?? "")")
            // Each iteration of the full loop starts from the flow's input with its element.
            let full = try #require(try result("full")?.arrayValue)
            #expect(full.count == 3)
            #expect(full.first?["iter"]?["value"] == 1)
        }
        // What a loop's record holds while it is open: read while an iteration waits at its gate.
        try await harness.withWorker { _ in
            let parked = """
                value:
                  modules:
                    - id: full
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: '[1]'}
                        parallel: false
                        skip_failures: false
                        modules:
                          - id: wait
                            value: {type: identity}
                            suspend: {required_events: 1, timeout: 600}
                """
            let id = try harness.startFlow(parked, input: ["big": .string(big)])
            let connection = try server.connect()
            let deadline = ContinuousClock.now + .seconds(30)
            var record: JSONValue?
            while ContinuousClock.now < deadline {
                record = try connection.send("HGET", .string(harness.store.keys.flowFrames(id)), "r.0").string.flatMap { try? JSONValue(parsing: $0) }
                if record != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let opened = try #require(record, "the loop's container record")
            #expect(opened["tpl"] != nil, "a loop with modules has a first step for every iteration")
            #expect(opened["prev"] == nil, "so no iteration can take the previous result: it is not stored")
        }
    }

    @Test("branchall: every branch runs (in parallel too), results in branch order; a failing branch fails the module unless skip_failure")
    func branchAll() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        func yaml(parallel: Bool, skip: Bool) -> String {
            """
            value:
              modules:
                - id: all
                  value:
                    type: branchall
                    parallel: \(parallel)
                    branches:
                      - modules:
                          - id: one
                            value: {type: rawscript, language: bash, content: 'sleep 0.2; echo 1', input_transforms: {}}
                      - skip_failure: \(skip)
                        modules:
                          - id: two
                            value: {type: rawscript, language: bash, content: 'echo oops >&2; exit 3', input_transforms: {}}
                      - modules:
                          - id: three
                            value: {type: rawscript, language: bash, content: 'echo 3', input_transforms: {}}
            """
        }
        try await harness.withWorker(harness.settings(concurrency: 3)) { _ in
            for parallel in [false, true] {
                let tolerant = try await harness.finished(try harness.startFlow(yaml(parallel: parallel, skip: true)))
                #expect(tolerant.state == .success, "\(tolerant.error ?? "")")
                #expect(tolerant.result?.arrayValue?.count == 3)
                #expect(tolerant.result?.arrayValue?.first == 1)
                #expect(tolerant.result?.arrayValue?.last == 3)
                #expect(tolerant.result?.arrayValue?[1]["error"]?["step_id"] == "two")
                let strict = try await harness.finished(try harness.startFlow(yaml(parallel: parallel, skip: false)))
                #expect(strict.state == .failure)
                #expect(strict.error?.contains("module 'two' failed") == true, "\(strict.error ?? "")")
            }
        }
    }

    @Test("whileloopflow: runs until a module's stop_after_if breaks it; the cap fails it clearly")
    func whileLoop() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: loop
                      value:
                        type: whileloopflow
                        skip_failures: false
                        modules:
                          - id: count
                            value:
                              type: rawscript
                              language: bash
                              content: |
                                i="$1"
                                echo "$i"
                              input_transforms:
                                i: {type: javascript, expr: flow_input.iter.index}
                            stop_after_if: {expr: 'result >= 3'}
                """)
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result == [0, 1, 2, 3])
            let capped = try harness.startFlow(
                """
                value:
                  modules:
                    - id: loop
                      value:
                        type: whileloopflow
                        skip_failures: false
                        max_iterations: 3
                        modules:
                          - id: forever
                            value: {type: identity}
                """)
            let failed = try await harness.finished(capped)
            #expect(failed.state == .failure)
            #expect(failed.error?.contains("max_iterations") == true, "\(failed.error ?? "")")
        }
    }

    @Test("a subflow runs as a flow job of its own; its result is the step's result; linked both ways")
    func subflow() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let child = "f/test/child-\(UUID().uuidString.prefix(6).lowercased())"
        try harness.pushFlow(
            """
            schema: {type: object, properties: {x: {type: integer}}, required: [x]}
            value:
              modules:
                - id: inc
                  value:
                    type: rawscript
                    language: bash
                    content: |
                      x="$1"
                      echo $((x + 1))
                    input_transforms:
                      x: {type: javascript, expr: flow_input.x}
            """, path: child)
        try await harness.withWorker { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: call
                      value:
                        type: flow
                        path: \(child)
                        input_transforms:
                          x: {type: javascript, expr: flow_input.n * 10}
                    - id: after
                      value: {type: identity}
                """, input: ["n": 4])
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result == 41)
            let callStep = try #require(try harness.steps(of: id).first)
            let subflowID = try #require(callStep.extra["subflow"].flatMap(JobID.init))
            let subflow = try #require(try harness.store.job(subflowID, on: server.connect()))
            #expect(subflow.kind == .flow)
            #expect(subflow.extra["parent_job"] == callStep.id.rawValue)
            #expect(subflow.extra["parent_flow"] == id.rawValue)
            #expect(subflow.result == 41)
        }
    }

    @Test("nesting: a loop in a branch in a loop; results of the current iteration are in scope; a child starts from its own input")
    func nesting() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 4)) { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: outer
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: '[1, 2]'}
                        parallel: true
                        skip_failures: false
                        modules:
                          - id: base
                            value: {type: rawscript, language: bash, content: 'v="$1"; echo $((v * 100))', input_transforms: {v: {type: javascript, expr: flow_input.iter.value}}}
                          - id: choose
                            value:
                              type: branchone
                              branches:
                                - expr: 'results.base > 100'
                                  modules:
                                    - id: inner
                                      value:
                                        type: forloopflow
                                        iterator: {type: javascript, expr: '[1, 2, 3]'}
                                        skip_failures: false
                                        modules:
                                          - id: add
                                            value:
                                              type: rawscript
                                              language: bash
                                              content: |
                                                b="$1"
                                                i="$2"
                                                echo $((b + i))
                                              input_transforms:
                                                b: {type: javascript, expr: results.base}
                                                i: {type: javascript, expr: flow_input.iter.value}
                              default:
                                - id: plain
                                  value: {type: identity}
                """)
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            // Iteration 0 takes the default branch, whose identity passes on the branch's input — as in
            // Windmill, the flow's input with `iter`; iteration 1 runs the inner loop.
            #expect(flow.result == [["iter": ["value": 1, "index": 0]], [201, 202, 203]])
        }
    }

    @Test("skip_if, mock, continue_on_error and a per-module timeout, end to end")
    func moduleOptions() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let began = ContinuousClock.now
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: skipped
                      skip_if: {expr: 'flow_input.skip'}
                      value: {type: rawscript, language: bash, content: 'exit 9', input_transforms: {}}
                    - id: mocked
                      mock: {enabled: true, return_value: {from: mock}}
                      value: {type: rawscript, language: bash, content: 'exit 9', input_transforms: {}}
                    - id: slow
                      timeout: {type: javascript, expr: '1'}
                      continue_on_error: true
                      value: {type: rawscript, language: bash, content: 'sleep 20', input_transforms: {}}
                    - id: last
                      value:
                        type: rawscript
                        language: bash
                        content: |
                          m="$1"
                          e="$2"
                          echo "{\\"mock\\": \\"$m\\", \\"error\\": \\"$e\\"}"
                        input_transforms:
                          m: {type: javascript, expr: results.mocked.from}
                          e: {type: javascript, expr: results.slow.error.message}
                """, input: ["skip": true])
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result?["mock"] == "mock")
            #expect(flow.result?["error"]?.stringValue?.contains("timed out after 1 s") == true, "\(flow.result?.jsonText ?? "")")
            // The timed-out step was killed at its timeout, not left to end its 20-s sleep.
            #expect(ContinuousClock.now - began < .seconds(15))
            let steps = try harness.steps(of: id)
            #expect(steps.first?.extra["skipped"] == "1")
        }
    }
}

extension FlowControlTests {
    @Test(
        "stops: a loop's own stop_after_if breaks it after an iteration; stop_after_all_iters_if stops the flow after the loop; a stop inside a branch stops its frame, and a loop around absorbs it"
    )
    func stops() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let broken = try harness.startFlow(
                """
                value:
                  modules:
                    - id: loop
                      stop_after_if: {expr: 'result >= 20'}
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: '[10, 20, 30, 40]'}
                        skip_failures: false
                        modules:
                          - id: echo
                            value: {type: rawscript, language: bash, content: "v=\\"$1\\"\\necho $v", input_transforms: {v: {type: javascript, expr: flow_input.iter.value}}}
                    - id: after
                      value: {type: identity}
                """)
            #expect(try await harness.finished(broken).result == [10, 20])
            let allIterations = try harness.startFlow(
                """
                value:
                  modules:
                    - id: loop
                      stop_after_all_iters_if: {expr: 'result.length === 2', skip_if_stopped: true}
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: '[1, 2]'}
                        skip_failures: false
                        modules:
                          - id: echo
                            value: {type: identity}
                    - id: never
                      value: {type: rawscript, language: bash, content: 'exit 1', input_transforms: {}}
                """)
            let stopped = try await harness.finished(allIterations)
            #expect(stopped.state == .success)
            #expect(stopped.extra["skipped"] == "1")
            #expect(try harness.steps(of: allIterations).map { $0.extra["module_id"] }.contains("never") == false)
            let absorbed = try harness.startFlow(
                """
                value:
                  modules:
                    - id: loop
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: '[1, 2, 3]'}
                        skip_failures: false
                        modules:
                          - id: pick
                            value:
                              type: branchone
                              branches:
                                - expr: 'flow_input.iter.value === 2'
                                  modules:
                                    - id: stopper
                                      value: {type: identity}
                                      stop_after_if: {expr: 'true'}
                              default:
                                - id: pass
                                  value: {type: rawscript, language: bash, content: "v=\\"$1\\"\\necho $v", input_transforms: {v: {type: javascript, expr: flow_input.iter.value}}}
                    - id: after
                      value: {type: rawscript, language: bash, content: "n=\\"$1\\"\\necho $n", input_transforms: {n: {type: javascript, expr: results.loop.length}}}
                """)
            let flow = try await harness.finished(absorbed)
            // Iteration 1 stops inside its branch: the stop ends the iteration, the loop breaks, the flow goes on.
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result == 2)
        }
    }
}

extension FlowControlTests {
    @Test("suspend inside a parallel loop: each iteration parks at its own gate with its own links; the loop goes on as they close")
    func gatesInLoop() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 4)) { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: lines
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: flow_input.lines}
                        parallel: true
                        skip_failures: false
                        modules:
                          - id: ask
                            value: {type: rawscript, language: bash, content: "line=\\"$1\\"\\necho \\"\\\\\\"$line\\\\\\"\\"", input_transforms: {line: {type: javascript, expr: flow_input.iter.value}}}
                            suspend: {required_events: 1, timeout: 600}
                          - id: approved
                            value:
                              type: rawscript
                              language: bash
                              content: |
                                line="$1"
                                who="$2"
                                echo "{\\"line\\": \\"$line\\", \\"by\\": \\"$who\\"}"
                              input_transforms:
                                line: {type: javascript, expr: results.ask}
                                who: {type: javascript, expr: 'approvers[0]'}
                """, input: ["lines": ["a", "b", "c"]])
            let connection = try server.connect()
            let gates = GateStore(keys: harness.store.keys)
            // All three iterations park at once, each at its own gate.
            var open: [GateRecord] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while open.count < 3, ContinuousClock.now < deadline {
                open = try gates.gates(ofFlow: id, on: connection).filter { $0.state == .open }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(open.count == 3)
            #expect(Set(open.compactMap(\.iteration)) == [0, 1, 2])
            #expect(Set(open.map(\.secret)).count == 3, "each gate has its own secret, so its own links")
            #expect(try harness.store.job(id, on: connection)?.state == .suspended)
            for (number, gate) in open.sorted(by: { ($0.iteration ?? 0) < ($1.iteration ?? 0) }).enumerated() {
                let outcome = try gates.record(
                    gate: gate.id, subject: .named("approver\(number)"), reject: false, payload: [:], reason: nil, channel: .operator, on: connection)
                #expect(outcome == .decided("approved", count: 1, required: 1))
            }
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result == [["line": "a", "by": "approver0"], ["line": "b", "by": "approver1"], ["line": "c", "by": "approver2"]])
        }
    }

    @Test("a cancel during a fan-out cancels every running iteration and closes their gates")
    func cancelFanOut() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 4, lease: .milliseconds(600))) { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: fan
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: '[1, 2, 3, 4, 5, 6]'}
                        parallel: true
                        parallelism: {type: static, value: 3}
                        skip_failures: false
                        modules:
                          - id: wait
                            value: {type: rawscript, language: bash, content: 'sleep 30', input_transforms: {}}
                """)
            let connection = try server.connect()
            var running: [JobRecord] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while running.count < 3, ContinuousClock.now < deadline {
                running = try harness.steps(of: id).filter { $0.state == .running && $0.extra["module_id"] == "wait" }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(running.count == 3)
            #expect(try harness.store.cancel(id, reason: "operator", on: connection) == .running)
            let flow = try await harness.finished(id)
            #expect(flow.state == .canceled)
            let steps = try harness.steps(of: id)
            #expect(steps.allSatisfy { $0.state.isFinal }, "\(steps.map(\.state))")
            // Only the first three iterations were ever started; none starts after the cancel.
            #expect(steps.filter { $0.extra["module_id"] == "wait" }.count == 3)
            #expect(try connection.send("EXISTS", .string(harness.store.keys.flowFrames(id))).integer == 0)
        }
    }
}

extension FlowControlTests {
    /// Starts a parent flow whose one step calls `child` (a flow whose step sleeps), and waits
    /// until the child's step runs: returns the parent, its call step and the child flow.
    private func parentWaitingOnSubflow(_ harness: WorkerHarness) async throws -> (parent: JobID, call: JobID, child: JobID, sleeper: JobID) {
        let childPath = "f/test/sleeper-\(UUID().uuidString.prefix(6).lowercased())"
        try harness.pushFlow(
            """
            value:
              modules:
                - id: nap
                  value: {type: rawscript, language: bash, content: 'sleep 30', input_transforms: {}}
            """, path: childPath)
        let parent = try harness.startFlow(
            """
            value:
              modules:
                - id: call
                  value: {type: flow, path: \(childPath), input_transforms: {}}
            """)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let call = try harness.steps(of: parent).first, let child = call.extra["subflow"].flatMap(JobID.init),
                let sleeper = try harness.steps(of: child).first, sleeper.state == .running
            {
                return (parent, call.id, child, sleeper.id)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("the subflow's step never started")
    }

    @Test("canceling a flow cancels the subflow it waits on and the subflow's running step")
    func cancelParentCascades() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 2, lease: .milliseconds(600))) { _ in
            let (parent, call, child, sleeper) = try await parentWaitingOnSubflow(harness)
            let connection = try server.connect()
            #expect(try harness.store.cancel(parent, reason: "operator", on: connection) == .running)
            #expect(try await harness.finished(parent).state == .canceled)
            #expect(try await harness.finished(call).state == .canceled)
            #expect(try await harness.finished(child).state == .canceled)
            #expect(try await harness.finished(sleeper).state == .canceled)
        }
    }

    @Test("canceling a subflow cancels the flow that called it")
    func cancelChildCascades() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 2, lease: .milliseconds(600))) { _ in
            let (parent, call, child, sleeper) = try await parentWaitingOnSubflow(harness)
            let connection = try server.connect()
            #expect(try harness.store.cancel(child, reason: "operator", on: connection) == .running)
            #expect(try await harness.finished(sleeper).state == .canceled)
            let flow = try await harness.finished(parent)
            #expect(flow.state == .canceled)
            #expect(flow.error?.contains("subflow") == true, "\(flow.error ?? "")")
            #expect(try await harness.finished(call).state.isFinal)
        }
    }
}

extension FlowControlTests {
    @Test("two workers finishing parallel iterations at the same instant: every iteration counted once, the loop completes once")
    func parallelRace() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let count = 300
        try await harness.withWorker(harness.settings(id: "racer-a", concurrency: 8)) { _ in
            try await harness.withWorker(harness.settings(id: "racer-b", concurrency: 8)) { _ in
                let id = try harness.startFlow(
                    """
                    value:
                      modules:
                        - id: fan
                          value:
                            type: forloopflow
                            iterator: {type: javascript, expr: flow_input.items}
                            parallel: true
                            parallelism: {type: static, value: 50}
                            skip_failures: false
                            modules:
                              - id: echo
                                value: {type: rawscript, language: bash, content: "v=\\"$1\\"\\necho $v", input_transforms: {v: {type: javascript, expr: flow_input.iter.value}}}
                        - id: after
                          value: {type: identity}
                    """, input: ["items": .array((0..<count).map { .number(Double($0)) })])
                let flow = try await harness.finished(id)
                #expect(flow.state == .success, "\(flow.error ?? "")")
                let elements = flow.result?.arrayValue ?? []
                #expect(elements.count == count)
                #expect(elements == (0..<count).map { .number(Double($0)) })
                let steps = try harness.steps(of: id)
                #expect(steps.count == 1 + count + 1)
                #expect(Set(steps.compactMap { $0.extra["frame"] }).count == 1 + count)
                #expect(steps.allSatisfy { $0.state == .success })
            }
        }
    }
}

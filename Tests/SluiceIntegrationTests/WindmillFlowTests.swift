import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting
import Testing

/// Flows as Windmill users wrote them, run by a real worker: expressions beyond the subset (on the
/// worker's JavaScript engine), the legacy prologue, empty expressions, a whole `$res:` expression,
/// module-level transforms, and modules kept with --allow-unsupported.
@Suite("Windmill's flows run here unchanged", .serialized, .tags(.processes))
struct WindmillFlowTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let flow = """
        summary: Windmill-written expressions
        value:
          modules:
            - id: a
              input_transforms:
                items: {type: javascript, expr: "(() => { const a = flow_input.items; return a ?? []; })()"}
                name:
                  type: javascript
                  expr: |-
                    import { previous_result, flow_input, step, variable, resource, params } from 'windmill@1-1'

                    flow_input.name
                nothing: {type: javascript, expr: ''}
                db: {type: javascript, expr: '$res:f/wm/db'}
              value:
                type: rawscript
                language: python3
                content: |
                  def main(items, name, nothing, db):
                      return {"count": len(items), "name": name, "nothing": nothing, "host": db["host"]}
            - id: b
              value:
                type: rawscript
                language: bash
                content: |
                  doubled="$1"
                  echo "$doubled"
                input_transforms:
                  doubled:
                    type: javascript
                    expr: |-
                      const r = results.a;
                      return String(r.count * 2) + ":" + step(0).name
        """

    @Test("IIFEs and statement bodies on the engine, the windmill@1-1 prologue, expr: '' as null, $res: as the resource, module-level transforms")
    func expressions() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try ResourceStore(keys: harness.store.keys).set(path: "f/wm/db", type: "postgresql", value: ["host": "db.internal"], on: server.connect())
        try await harness.withWorker { _ in
            let id = try harness.startFlow(Self.flow, input: ["items": [1, 2, 3], "name": "Ada"], path: "f/wm/expressions")
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            let steps = try harness.steps(of: id).map { "\($0.arguments) \($0.result ?? .null) \($0.error ?? "")" }
            #expect(flow.result == "6:Ada", "\(steps)")
            let first = try #require(try harness.steps(of: id).first)
            #expect(first.result == ["count": 3, "name": "Ada", "nothing": .null, "host": "db.internal"])
        }
    }

    @Test(
        "the legacy step(i): the i-th top-level module's result, counted back from the current top-level module when negative, in the subset and on the engine (inside a loop)"
    )
    func legacyStepIndex() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: a
                      value: {type: rawscript, language: bash, content: "echo '{\\"v\\": 1}'", input_transforms: {}}
                    - id: b
                      value: {type: rawscript, language: bash, content: "echo '{\\"v\\": 2}'", input_transforms: {}}
                    - id: c
                      value:
                        type: rawscript
                        language: bash
                        content: |
                          back1="$1"
                          back2="$2"
                          first="$3"
                          echo "{\\"back1\\": $back1, \\"back2\\": $back2, \\"first\\": $first}"
                        input_transforms:
                          back1: {type: javascript, expr: 'step(-1).v'}
                          back2: {type: javascript, expr: 'step(-2).v'}
                          first: {type: javascript, expr: 'step(0).v'}
                    - id: d
                      value:
                        type: forloopflow
                        iterator: {type: javascript, expr: '[1]'}
                        modules:
                          - id: e
                            value:
                              type: rawscript
                              language: bash
                              content: |
                                sum="$1"
                                echo "$sum"
                              input_transforms: {sum: {type: javascript, expr: 'const back = step(-1).back1; return back + step(-3).v'}}
                """, path: "f/wm/legacy_step")
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            let c = try harness.steps(of: id).first { $0.arguments["back1"] != nil }
            #expect(c?.result == ["back1": 2, "back2": 1, "first": 1], "\(c?.result?.jsonText ?? "no step c")")
            #expect(flow.result == [3], "\(flow.result?.jsonText ?? "")")
        }
    }

    @Test("a module kept with --allow-unsupported fails the flow only when reached, naming it")
    func unsupportedReached() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("unsupported-\(UUID().uuidString).flow.yaml")
        try """
        value:
          modules:
            - id: first
              value: {type: identity}
            - id: go_step
              value: {type: rawscript, language: go, content: 'package inner'}
        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let environment = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": harness.store.keys.prefix]
        let refused = try await runCommand("sluice", ["flow", "push", "f/wm/go", file.path], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("value.modules[1].value: language 'go' has no runtime in Sluice"), "\(refused.stderr)")
        let strict = try await runCommand(
            "sluice", ["flow", "push", "f/wm/go", file.path, "--allow-unsupported", "--strict"], environment: environment)
        #expect(strict.status == 0, "no warnings, so --strict passes: \(strict.stderr)")
        try await harness.withWorker { _ in
            let started = try await runCommand("sluice", ["run", "f/wm/go", "--wait"], environment: environment)
            #expect(started.status != 0)
            #expect(started.stderr.contains("module 'go_step' cannot run in Sluice: language 'go' has no runtime"), "\(started.stderr)")
        }
    }

    @Test("sluice flow push warns about fields Sluice does not honour, naming each; --strict refuses them")
    func strictPush() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tolerant-\(UUID().uuidString).flow.yaml")
        try """
        value:
          modules:
            - id: pick
              value:
                type: branchone
                branches: [{expr: 'true', skip_failure: true, modules: [{id: x, value: {type: identity}}]}]
                default: []
          concurrency_time_window_s: 60
        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let environment = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": harness.store.keys.prefix]
        let pushed = try await runCommand("sluice", ["flow", "push", "f/wm/tolerant", file.path], environment: environment)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stderr.contains("warning: value.modules[0].value.branches[0].skip_failure: has no meaning on a branchone branch"))
        #expect(pushed.stderr.contains("warning: value.concurrency_time_window_s: only tunes"))
        let strict = try await runCommand("sluice", ["flow", "push", "f/wm/tolerant", file.path, "--strict"], environment: environment)
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("refused (--strict)"), "\(strict.stderr)")
    }

    @Test(
        "a script module's hash pins a stored version (whole or 12+ leading hex digits); an unknown hash warns at push and the current version runs")
    func versionPins() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let connection = try server.connect()
        let scripts = ScriptStore(keys: harness.store.keys)
        let path = try #require(ScriptPath("f/pin/echo"))
        let (first, _) = try scripts.push(path: path, language: .bash, content: "echo one\n", on: connection)
        _ = try scripts.push(path: path, language: .bash, content: "echo two\n", on: connection)
        func flow(_ hash: String) -> String {
            "value:\n  modules:\n    - id: a\n      value: {type: script, path: f/pin/echo, hash: '\(hash)'}\n"
        }
        let pinned = try harness.engine.push(path: try #require(ScriptPath("f/pin/pinned")), text: flow(String(first.prefix(16))), on: connection)
        #expect(pinned.warnings.isEmpty, "\(pinned.warnings)")
        let windmill = try harness.engine.push(path: try #require(ScriptPath("f/pin/windmill")), text: flow("0a1b2c3d4e5f6a7b"), on: connection)
        #expect(windmill.warnings.contains { $0.contains("hash 0a1b2c3d4e5f6a7b is not a stored version of f/pin/echo") }, "\(windmill.warnings)")
        try await harness.withWorker { _ in
            for (flowPath, expected) in [("f/pin/pinned", "one"), ("f/pin/windmill", "two")] {
                let id = JobID.generate()
                try harness.engine.start(FlowEngine.Start(id: id, path: flowPath, input: [:]), on: connection)
                let done = try await harness.finished(id)
                #expect(done.result == .string(expected), "\(flowPath): \(done.error ?? "")")
            }
        }
    }

    @Test("nested loops on a worker: the inner step sees iter and iter_parent, a while loop's iter.value is its index, flow_env is read")
    func nestedLoops() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let flow = """
            value:
              flow_env: {SEP: ':'}
              modules:
                - id: outer
                  value:
                    type: forloopflow
                    iterator: {type: javascript, expr: '["a", "b"]'}
                    modules:
                      - id: inner
                        value:
                          type: forloopflow
                          iterator: {type: javascript, expr: '[1, 2]'}
                          modules:
                            - id: pair
                              value:
                                type: rawscript
                                language: bash
                                content: "text=\\"$1\\"\\necho \\"$text\\""
                                input_transforms:
                                  text: {type: javascript, expr: 'flow_input.iter_parent.value + flow_env.SEP + flow_input.iter.value'}
                - id: counting
                  value:
                    type: whileloopflow
                    modules:
                      - id: tick
                        value: {type: identity}
                        stop_after_if: {expr: 'flow_input.iter.value >= 2', skip_if_stopped: false}
            """
        try await harness.withWorker { _ in
            let id = try harness.startFlow(flow, input: [:], path: "f/wm/nested")
            let done = try await harness.finished(id)
            #expect(done.state == .success, "\(done.error ?? "")")
            let steps = try harness.steps(of: id)
            let results = steps.filter { $0.extra["module_id"] == "pair" }.compactMap { $0.result?.stringValue }.sorted()
            #expect(results == ["a:1", "a:2", "b:1", "b:2"], "\(steps.map { "\($0.extra["module_id"] ?? "") \($0.result ?? .null)" })")
            #expect(steps.filter { $0.extra["module_id"] == "tick" }.count == 3, "the while loop stops when iter.value (its index) reaches 2")
        }
    }
}

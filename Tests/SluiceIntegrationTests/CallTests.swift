import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceSecrets
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// Scripts that run scripts: Windmill's `run_script_by_path` / `runScriptByPath` and the rest of
/// the client's job calls, and its `set_variable` / `set_resource`, through each job's channel, on
/// real workers and Redis.
@Suite("Scripts that run scripts", .serialized)
struct CallTests {
    let server: RedisServer
    let key = SecretPrivateKey.generate()

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    func settings(_ harness: WorkerHarness, concurrency: Int = 2, maxDepth: Int? = nil) -> WorkerSettings {
        var settings = harness.settings(concurrency: concurrency)
        settings.keyring = SecretKeyring([key])
        if let maxDepth { settings.maxCallDepth = maxDepth }
        return settings
    }

    /// Pushes a script at `path`.
    func push(_ harness: WorkerHarness, _ path: String, _ language: ScriptLanguage, _ content: String) throws {
        let connection = try server.connect()
        try ScriptStore(keys: harness.store.keys).push(path: try #require(ScriptPath(path)), language: language, content: content, on: connection)
    }

    /// Queues a run of the script at `path`.
    func start(_ harness: WorkerHarness, _ path: String, arguments: JSONValue = [:], timeoutSeconds: Int? = nil, createdBy: String? = nil) throws
        -> JobID
    {
        let connection = try server.connect()
        let script = try #require(try ScriptStore(keys: harness.store.keys).script(at: path, on: connection))
        let id = JobID.generate()
        try harness.store.enqueue(
            EnqueueRequest(
                id: id, kind: .script, arguments: arguments, path: path, scriptHash: script.hash, language: script.language, createdBy: createdBy,
                timeoutSeconds: timeoutSeconds), on: connection)
        return id
    }

    func calls(_ harness: WorkerHarness, of id: JobID) throws -> [JobRecord] {
        let connection = try server.connect()
        return try CallStore(keys: harness.store.keys).calls(of: id, on: connection).compactMap { try harness.store.job($0, on: connection) }
    }

    static let helper = """
        def main(x: int):
            return {"double": x * 2}
        """

    static let pythonOrchestrator = """
        import wmill

        def main(n: int):
            now = wmill.run_script_by_path("f/calls/helper", args={"x": n})
            later = wmill.run_script_by_path_async("f/calls/helper", {"x": n + 1})
            status = wmill.get_job_status(later)
            waited = wmill.wait_job(later)
            flow = wmill.run_flow_by_path("f/calls/flow", {"x": n})
            return {"sync": now["double"], "async": waited["double"], "result": wmill.get_result(later)["double"], "status": status,
                    "flow": flow, "id": later}
        """

    static let flow = """
        summary: adds one
        schema: {type: object, properties: {x: {type: integer}}}
        value:
          modules:
            - id: add
              value:
                type: rawscript
                language: python3
                content: |
                  def main(x: int):
                      return x + 1
                input_transforms:
                  x: {type: javascript, expr: flow_input.x}
        """

    @Test(
        "a Python orchestrator runs a helper synchronously and asynchronously and a flow, and uses their results; the calls are real jobs linked both ways"
    )
    func pythonOrchestrator() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/helper", .python3, Self.helper)
        try push(harness, "f/calls/orchestrate", .python3, Self.pythonOrchestrator)
        try harness.pushFlow(Self.flow, path: "f/calls/flow")
        try await harness.withWorker(settings(harness)) { _ in
            let id = try start(harness, "f/calls/orchestrate", arguments: ["n": 5], createdBy: "alice")
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result?["sync"] == 10)
            #expect(job.result?["async"] == 12)
            #expect(job.result?["result"] == 12)
            #expect(job.result?["flow"] == 6)
            #expect(["WAITING", "RUNNING", "COMPLETED"].contains(job.result?["status"]?.stringValue ?? ""))
            let calls = try calls(harness, of: id)
            #expect(calls.count == 3)
            #expect(calls.map(\.kind) == [.script, .script, .flow])
            for call in calls {
                #expect(call.state == .success)
                #expect(call.extra[CallField.calledBy] == id.rawValue)
                #expect(call.extra[CallField.depth] == "1")
                #expect(call.queue == "default")
                #expect(call.createdBy == "alice")
            }
            #expect(calls[1].id.rawValue == job.result?["id"]?.stringValue)
            #expect(calls[0].timeoutSeconds.map { $0 <= 30 } == true, "a call gets no more time than its caller has left")
        }
    }

    @Test("a flow's inline step calls a script of the flow's folder: the call is linked to the step (job show of the flow lists its steps' calls)")
    func flowStepCalls() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/helper", .python3, Self.helper)
        let flow = """
            summary: a step that calls a script
            value:
              modules:
                - id: call
                  value:
                    type: rawscript
                    language: python3
                    content: |
                      import wmill
                      def main():
                          return wmill.run_script_by_path("f/calls/helper", {"x": 8})["double"]
                    input_transforms: {}
            """
        try await harness.withWorker(settings(harness, concurrency: 1)) { _ in
            let id = try harness.startFlow(flow, path: "f/calls/wrapper")
            let run = try await harness.finished(id)
            #expect(run.state == .success, "\(run.error ?? "")")
            let step = try #require(try harness.steps(of: id).first)
            #expect(step.result == 16)
            let calls = try calls(harness, of: step.id)
            #expect(calls.count == 1)
            #expect(calls.first?.extra[CallField.calledBy] == step.id.rawValue)
        }
    }

    static let typeScriptOrchestrator = """
        import * as wmill from "windmill-client";

        export async function main(n: number) {
          const now = await wmill.runScriptByPath("f/calls/helper", { x: n });
          const id = await wmill.runScriptByPathAsync("f/calls/helper", { x: n + 1 });
          const waited = await wmill.waitJob(id);
          const flow = await wmill.runFlow("f/calls/flow", { x: n });
          let failure = "";
          try {
            await wmill.runScriptByPath("f/calls/failing", { x: n });
          } catch (error) {
            failure = `${(error as Error).name}: ${(error as Error).message}`;
          }
          await wmill.setVariable("f/calls/ts_token", `token-${n}`);
          await wmill.setResource({ seen: n }, "f/calls/ts_resource", "c_seen");
          const stored = { token: await wmill.getVariable("f/calls/ts_token"), resource: await wmill.getResource("f/calls/ts_resource") };
          return { sync: now.double, async: waited.double, result: (await wmill.getResult(id)).double, flow, failure,
                   status: await wmill.getJobStatus(id), stored };
        }
        """

    static let failing = """
        def main(x: int):
            raise ValueError("bad input %d" % x)
        """

    @Test("a TypeScript orchestrator runs a helper synchronously and asynchronously and a flow; a failing callee throws in the caller with its error")
    func typeScriptOrchestrator() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/helper", .python3, Self.helper)
        try push(harness, "f/calls/failing", .python3, Self.failing)
        try push(harness, "f/calls/orchestrate", .deno, Self.typeScriptOrchestrator)
        try harness.pushFlow(Self.flow, path: "f/calls/flow")
        try await harness.withWorker(settings(harness)) { _ in
            let id = try start(harness, "f/calls/orchestrate", arguments: ["n": 4])
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result?["sync"] == 8)
            #expect(job.result?["async"] == 10)
            #expect(job.result?["result"] == 10)
            #expect(job.result?["flow"] == 5)
            #expect(job.result?["status"] == "COMPLETED")
            #expect(job.result?["stored"] == ["token": "token-4", "resource": ["seen": 4]])
            let failure = job.result?["failure"]?.stringValue ?? ""
            #expect(failure.hasPrefix("SluiceError: job "), "\(failure)")
            #expect(failure.contains("(f/calls/failing) failed"), "\(failure)")
            #expect(failure.contains("ValueError: bad input 4"), "\(failure)")
            #expect(try calls(harness, of: id).map(\.state) == [.success, .success, .success, .failure])
        }
    }

    @Test("a callee's failure fails a caller that does not catch it, with the callee's error")
    func failingCallee() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/failing", .python3, Self.failing)
        try push(
            harness, "f/calls/caller", .python3, "import wmill\n\ndef main():\n    return wmill.run_script_by_path(\"f/calls/failing\", {\"x\": 7})\n"
        )
        try await harness.withWorker(settings(harness)) { _ in
            let job = try await harness.finished(try start(harness, "f/calls/caller"))
            #expect(job.state == .failure)
            let error = job.error ?? ""
            #expect(error.contains("SluiceError: job "), "\(error)")
            #expect(error.contains("ValueError: bad input 7"), "\(error)")
        }
    }

    static let slow = "sleep 60\necho done\n"

    @Test("a stored version runs by its hash; a wait past its timeout raises TimeoutError and cancels the job waited for")
    func hashAndTimeout() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/helper", .python3, Self.helper)
        try push(harness, "f/calls/slow", .bash, Self.slow)
        let hash = try #require(try ScriptStore(keys: harness.store.keys).script(at: "f/calls/helper", on: server.connect())).hash
        try push(harness, "f/calls/helper", .python3, Self.helper + "\n# a newer version\n")
        try push(
            harness, "f/calls/timing", .python3,
            """
            import wmill

            def main(hash: str):
                by_hash = wmill.run_script_by_hash(hash, {"x": 21})
                try:
                    wmill.run_script_by_path("f/calls/slow", timeout=1)
                    late = "no"
                except TimeoutError as error:
                    late = str(error)
                return {"by_hash": by_hash["double"], "late": late}
            """)
        try await harness.withWorker(settings(harness)) { _ in
            let id = try start(harness, "f/calls/timing", arguments: ["hash": .string(hash)])
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result?["by_hash"] == 42)
            #expect(job.result?["late"]?.stringValue?.contains("did not finish within 1 s; it was canceled") == true, "\(job.result ?? .null)")
            let calls = try calls(harness, of: id)
            #expect(calls.first?.scriptHash == hash)
            #expect(calls.last?.state == .canceled)
        }
    }

    @Test("canceling the caller cancels what it started, at once, down the chain; a caller that times out has its calls canceled too")
    func cancelCascades() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/slow", .bash, Self.slow)
        try push(
            harness, "f/calls/starter", .python3,
            "import wmill\n\ndef main():\n    wmill.run_script_by_path_async(\"f/calls/slow\")\n    return wmill.run_script_by_path(\"f/calls/slow\")\n"
        )
        try push(
            harness, "f/calls/quitter", .python3,
            "import wmill\n\ndef main():\n    wmill.run_script_by_path_async(\"f/calls/slow\")\n    raise RuntimeError(\"giving up\")\n")
        try await harness.withWorker(settings(harness, concurrency: 1)) { _ in
            let id = try start(harness, "f/calls/starter")
            let connection = try server.connect()
            // Wait until both calls exist and one runs.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while try calls(harness, of: id).filter({ $0.state == .running }).isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let before = try calls(harness, of: id)
            #expect(before.count == 2)
            #expect(before.contains { $0.state == .running })
            _ = try harness.store.cancel(id, reason: "stop it", on: connection)
            let after = try calls(harness, of: id)
            #expect(after.map(\.state) == [.canceled, .canceled])
            #expect(after.allSatisfy { $0.error?.contains("the job that started it (\(id.rawValue)) was canceled") == true })
            #expect(try await harness.finished(id).state == .canceled)

            let timed = try start(harness, "f/calls/starter", timeoutSeconds: 3)
            let job = try await harness.finished(timed)
            #expect(job.state == .failure)
            #expect((job.error ?? "").contains("timed out"), "\(job.error ?? "")")
            // Each call got the time its caller had left: it times out with it, or is canceled when the caller's run ends.
            for call in try calls(harness, of: timed) {
                let ended = try await harness.finished(call.id, timeout: .seconds(20))
                #expect(ended.state == .canceled || ended.state == .failure)
                #expect(ended.error?.contains("timed out") == true, "\(ended.error ?? "")")
                #expect((ended.finishedAt ?? .max) <= (job.finishedAt ?? 0) + 2000)
            }

            // A caller that fails: what it started and left unfinished is canceled.
            let quitter = try start(harness, "f/calls/quitter")
            #expect(try await harness.finished(quitter).state == .failure)
            let left = try calls(harness, of: quitter)
            #expect(left.count == 1)
            #expect(left.first?.state == .canceled)
            #expect(left.first?.error == "canceled: the job that started it (\(quitter.rawValue)) failed")
        }
    }

    @Test("a worker at concurrency 1 runs a caller that waits and its callees, two levels deep: the waiting job lends its slot")
    func concurrencyOne() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/helper", .python3, Self.helper)
        try push(
            harness, "f/calls/middle", .python3,
            "import wmill\n\ndef main(x: int):\n    return wmill.run_script_by_path(\"f/calls/helper\", {\"x\": x})[\"double\"] + 1\n")
        try push(
            harness, "f/calls/top", .deno,
            "import * as wmill from \"windmill-client\";\nexport async function main() {\n  return await wmill.runScriptByPath(\"f/calls/middle\", { x: 20 });\n}\n"
        )
        try await harness.withWorker(settings(harness, concurrency: 1)) { worker in
            let job = try await harness.finished(try start(harness, "f/calls/top"), timeout: .seconds(60))
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result == 41)
        }
    }

    @Test("a script that starts itself is stopped at the depth limit with a clear error, in every caller")
    func depthLimit() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(
            harness, "f/calls/again", .python3,
            "import wmill\n\ndef main(n: int = 0):\n    return wmill.run_script_by_path(\"f/calls/again\", {\"n\": n + 1})\n")
        try await harness.withWorker(settings(harness, concurrency: 1, maxDepth: 3)) { _ in
            let id = try start(harness, "f/calls/again")
            let job = try await harness.finished(id)
            #expect(job.state == .failure)
            let error = job.error ?? ""
            #expect(error.contains("call depth limit: this job is already 3 calls deep, and calls may nest at most 3 levels"), "\(error)")
            var chain: [JobRecord] = []
            var current = id
            while let next = try calls(harness, of: current).first {
                chain.append(next)
                current = next.id
            }
            #expect(chain.count == 3)
            #expect(chain.map { $0.extra[CallField.depth] } == ["1", "2", "3"])
            #expect(chain.allSatisfy { $0.state == .failure })
        }
    }

    @Test("a flow a job would start past the depth limit is refused with the limit's own message, as a script is")
    func flowDepthLimit() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushFlow("value:\n  modules:\n    - id: one\n      value: {type: identity}\n", path: "f/calls/tiny")
        try push(
            harness, "f/calls/deep", .python3,
            """
            import wmill


            def main():
                try:
                    wmill.run_flow_by_path("f/calls/tiny", {})
                except Exception as error:
                    return type(error).__name__ + ": " + str(error)
                return "started"

            """)
        try push(harness, "f/calls/outer", .python3, "import wmill\n\ndef main():\n    return wmill.run_script_by_path(\"f/calls/deep\", {})\n")
        try await harness.withWorker(settings(harness, concurrency: 2, maxDepth: 1)) { _ in
            let job = try await harness.finished(try start(harness, "f/calls/outer"))
            #expect(job.state == .success, "\(job.error ?? "")")
            let answer = job.result?.stringValue ?? ""
            #expect(answer.contains("call depth limit: this job is already 1 calls deep"), "\(answer)")
            #expect(!answer.contains("cannot answer now"), "\(answer)")
        }
    }

    @Test("a job may start only what its folder or the callee's callers rule allows; it may follow only the jobs it started")
    func accessRules() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/other/helper", .python3, Self.helper)
        try push(
            harness, "f/calls/outside", .python3,
            """
            import wmill

            def main(other: str):
                try:
                    wmill.run_script_by_path("f/other/helper", {"x": 1})
                    started = "yes"
                except PermissionError as error:
                    started = str(error)
                try:
                    wmill.get_result(other)
                    read = "yes"
                except PermissionError as error:
                    read = str(error)
                return {"started": started, "read": read}
            """)
        try await harness.withWorker(settings(harness)) { _ in
            let unrelated = try start(harness, "f/other/helper", arguments: ["x": 2])
            _ = try await harness.finished(unrelated)
            let id = try start(harness, "f/calls/outside", arguments: ["other": .string(unrelated.rawValue)])
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            let started = job.result?["started"]?.stringValue ?? ""
            #expect(started.hasPrefix("permission denied: f/calls/outside may start scripts and flows of its own folder (f/calls/)"), "\(started)")
            #expect(job.result?["read"]?.stringValue?.contains("was not started by this job") == true)
            #expect(try calls(harness, of: id).isEmpty)
            let logs = try harness.store.logs(id, on: server.connect()) ?? ""
            #expect(logs.contains("[sluice: permission denied"))

            // The callee's callers rule lets the folder in.
            #expect(
                try CallStore(keys: harness.store.keys).setCallers(
                    AccessRule(prefixes: ["f/calls/"]), of: "f/other/helper", flow: false, on: server.connect()))
            let allowed = try await harness.finished(try start(harness, "f/calls/outside", arguments: ["other": .string(unrelated.rawValue)]))
            #expect(allowed.result?["started"] == "yes")
        }
    }

    static let refresher = """
        import wmill

        def main():
            try:
                old = wmill.get_variable("f/calls/token")
            except Exception:
                old = None
            number = int(old.split("-")[1]) + 1 if old else 1
            wmill.set_variable("f/calls/token", "tok-%d-secret" % number, is_secret=True)
            try:
                counter = wmill.get_resource("f/calls/counter")["n"]
            except Exception:
                counter = 0
            wmill.set_resource({"n": counter + 1}, "f/calls/counter", "c_counter")
            try:
                wmill.set_variable("f/other/token", "x")
                outside = "written"
            except PermissionError as error:
                outside = str(error)
            return {"previous": old is not None and old == "tok-%d-secret" % (number - 1), "number": number, "counter": counter + 1,
                    "outside": outside}
        """

    @Test(
        "a token refreshed with set_variable (sealed, as a secret) is read by the next run; set_resource likewise; writes outside the folder are refused"
    )
    func refreshedToken() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try push(harness, "f/calls/refresh", .python3, Self.refresher)
        try await harness.withWorker(settings(harness)) { _ in
            let first = try await harness.finished(try start(harness, "f/calls/refresh"))
            #expect(first.state == .success, "\(first.error ?? "")")
            #expect(first.result?["number"] == 1)
            #expect(first.result?["previous"] == false)
            #expect(first.result?["outside"]?.stringValue?.hasPrefix("permission denied") == true)
            let second = try await harness.finished(try start(harness, "f/calls/refresh"))
            #expect(second.state == .success, "\(second.error ?? "")")
            #expect(second.result?["number"] == 2)
            #expect(second.result?["previous"] == true)
            #expect(second.result?["counter"] == 2)
            let connection = try server.connect()
            let stored = try #require(try VariableStore(keys: harness.store.keys).variable(at: "f/calls/token", on: connection))
            #expect(stored.isSecret)
            #expect(!stored.storedValue.contains("tok-2"))
            #expect(try SecretKeyring([key]).open(stored.storedValue, path: "f/calls/token") == "tok-2-secret")
            #expect(stored.access == AccessRule(prefixes: ["f/calls/"]))
            #expect(try ResourceStore(keys: harness.store.keys).resource(at: "f/calls/counter", on: connection)?.value == ["n": 2])
            #expect(try VariableStore(keys: harness.store.keys).variable(at: "f/other/token", on: connection) == nil)
        }
    }
}

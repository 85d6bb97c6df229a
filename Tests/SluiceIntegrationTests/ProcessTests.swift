import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// The built executables, run as separate processes against a private redis-server.
@Suite("worker, scheduler and sluice as processes", .serialized, .tags(.processes))
struct ProcessTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    func environment(_ keys: KeySpace) -> [String: String] {
        server.sluiceEnvironment(prefix: keys.prefix, logLevel: "info")
    }

    @Test("a worker SIGKILLed mid-job: its script dies with it, the scheduler hands the job back and another worker completes it")
    func workerKilledMidJob() async throws {
        let keys = KeySpace.unique()
        let env = environment(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let tag = "\(Int.random(in: 100_000...999_999))"
        let doomed = try ChildProcess("worker", ["--concurrency", "1", "--lease", "1"], environment: env)
        let scheduler = try ChildProcess("scheduler", ["--reap-interval", "0.2"], environment: env)
        // The first delivery hangs; a later delivery finishes at once.
        let id = try harness.run(
            .bash,
            """
            tag="$1"
            if [ "$SLUICE_DELIVERY" = 1 ]; then sleep 60.$tag; fi
            echo '{"finished": true}'
            """,
            arguments: ["tag": .string(tag)])
        #expect(await HostInspection.waitUntilRunning("sleep 60.\(tag)"))
        doomed.signal(SIGKILL)
        _ = await doomed.waitForExit(timeout: .seconds(5))
        // --die-with-parent: the sandboxed script does not outlive its worker.
        #expect(await HostInspection.waitUntilGone("sleep 60.\(tag)").isEmpty, "the script outlived its SIGKILLed worker")
        let rescuer = try ChildProcess("worker", ["--concurrency", "1"], environment: env)
        let job = try await harness.finished(id)
        #expect(job.state == .success)
        #expect(job.result == ["finished": true])
        #expect(job.deliveries == 2)
        #expect(job.extra["lost_by"]?.isEmpty == false)
        _ = (scheduler, rescuer)
    }

    @Test(
        "a worker SIGKILLed while a warm python runner runs a job: the job dies with it (a dedicated process runs the job in-process, so its sandbox must)",
        arguments: ["dedicated", "fork"])
    func warmRunnerJobDiesWithWorker(runner: String) async throws {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        let tag = "\(Int.random(in: 100_000...999_999))"
        let doomed = try ChildProcess("worker", ["--concurrency", "1", "--python-runner", runner], environment: environment(keys))
        _ = try harness.run(
            .python3, "import subprocess\n\ndef main(tag: str):\n    subprocess.run(['sleep', '60.' + tag])\n    return 1\n",
            arguments: ["tag": .string(tag)])
        #expect(await HostInspection.waitUntilRunning("sleep 60.\(tag)"))
        doomed.signal(SIGKILL)
        _ = await doomed.waitForExit(timeout: .seconds(5))
        #expect(await HostInspection.waitUntilGone("sleep 60.\(tag)").isEmpty, "the \(runner) runner's job outlived its SIGKILLed worker")
    }

    @Test("a worker SIGKILLed during a flow step: the flow still finishes once, with one result per step")
    func workerKilledMidFlow() async throws {
        let keys = KeySpace.unique()
        let env = environment(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let tag = "\(Int.random(in: 100_000...999_999))"
        let doomed = try ChildProcess("worker", ["--concurrency", "1", "--lease", "1"], environment: env)
        let scheduler = try ChildProcess("scheduler", ["--reap-interval", "0.2"], environment: env)
        let id = try harness.startFlow(
            """
            value:
              modules:
                - id: before
                  value: {type: identity}
                - id: fragile
                  value:
                    type: rawscript
                    language: bash
                    content: |
                      tag="$1"
                      if [ "$SLUICE_DELIVERY" = 1 ]; then sleep 60.$tag; fi
                      echo '{"survived": true}'
                    input_transforms:
                      tag: {type: static, value: 'TAG'}
                - id: after
                  value: {type: identity}
            """.replacingOccurrences(of: "TAG", with: tag), input: ["n": 1])
        #expect(await HostInspection.waitUntilRunning("sleep 60.\(tag)"))
        doomed.signal(SIGKILL)
        _ = await doomed.waitForExit(timeout: .seconds(5))
        let rescuer = try ChildProcess("worker", ["--concurrency", "1"], environment: env)
        let flow = try await harness.finished(id)
        #expect(flow.state == .success)
        #expect(flow.result == ["survived": true])
        let steps = try harness.steps(of: id)
        #expect(steps.map { $0.extra["module_id"] } == ["before", "fragile", "after"])
        #expect(steps[1].deliveries == 2)
        let results = try server.connect().send("HLEN", .string(keys.flowResults(id))).integer
        #expect(results == 3)
        _ = (scheduler, rescuer)
    }

    @Test("SIGTERM: the worker stops taking jobs, finishes the running one, and exits 0")
    func gracefulShutdown() async throws {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        let gate = try await JobGate()
        let worker = try ChildProcess("worker", ["--concurrency", "1"], environment: environment(keys))
        // The job holds at the gate until the test lets it go, so the signal surely arrives while
        // it runs — a job of a few seconds was seen to end unobserved between two looks.
        let running = try harness.run(.bash, gate.bashLine + "\necho finished-after-sigterm\n")
        let connection = try server.connect()
        #expect(await gate.waitUntilReached(), "the job never reached the gate: \(worker.log)")
        #expect(try harness.store.job(running, on: connection)?.state == .running)
        worker.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(100))
        let waiting = try harness.run(.bash, "echo should-wait\n")
        gate.release()
        let status = await worker.waitForExit(timeout: .seconds(20))
        #expect(status == 0, "worker log: \(worker.log)")
        #expect(try harness.store.job(running, on: connection)?.result == "finished-after-sigterm")
        #expect(try harness.store.job(waiting, on: connection)?.state == .queued)
    }

    @Test(
        "SIGTERM while Redis is gone and a finished job's report waits: the worker retries at a measured pace, gives up at its shutdown deadline and exits"
    )
    func shutdownWithRedisGone() async throws {
        let own = try await RedisServer.start()
        defer { own.stop() }
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: own, keys: keys)
        let worker = try ChildProcess(
            "worker", ["--concurrency", "1", "--shutdown-grace", "2"], environment: own.sluiceEnvironment(prefix: keys.prefix, logLevel: "info"))
        let gate = try await JobGate()
        _ = try harness.run(.bash, gate.bashLine + "\necho done\n")
        #expect(await gate.waitUntilReached(), "the job never reached the gate: \(worker.log)")
        own.kill()
        gate.release()
        // The job ends while Redis is gone: its report waits, retried with backoff. Signalled only
        // once a retry is seen — a fixed pause let a slow machine's job still run at the signal,
        // so the shutdown deadline killed it and handed it back instead (no report waited).
        let waits = await worker.waitForLog(containing: "cannot report job, retrying", timeout: .seconds(60))
        try #require(waits, "the job's report never waited: \(worker.log.suffix(2000))")
        worker.signal(SIGTERM)
        let status = await worker.waitForExit(timeout: .seconds(20))
        #expect(status != nil, "the worker did not exit: \(worker.log.suffix(2000))")
        if status == nil { worker.signal(SIGKILL) }
        let retries = worker.log.components(separatedBy: "cannot report job, retrying").count - 1
        #expect(retries >= 1 && retries <= 20, "\(retries) report retries")
        #expect(worker.log.contains("cannot report job before stopping"), "\(worker.log.suffix(2000))")
    }

    @Test("the CLI pushes, runs and waits; results print as JSON")
    func cliRoundTrip() async throws {
        let keys = KeySpace.unique()
        let env = environment(keys)
        let worker = try ChildProcess("worker", [], environment: env)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("greet-\(UUID().uuidString).py")
        try "def main(name: str, n: int = 1):\n    return {'hi': name, 'n': n}\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let push = try await runCommand("sluice", ["script", "push", "f/test/greet", file.path], environment: env)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.hasPrefix("f/test/greet python3 "))
        let run = try await runCommand(
            "sluice", ["run", "f/test/greet", "--args", #"{"name": "ada"}"#, "-a", "n=2", "--wait", "--timeout", "30"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").last.map(String.init) == #"{"hi":"ada","n":2}"#)
        let queued = try await runCommand("sluice", ["run", "f/test/greet", "-a", "name=x"], environment: env)
        let id = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(JobID(id) != nil)
        let waited = try await runCommand("sluice", ["job", "wait", id, "--timeout", "30"], environment: env)
        #expect(waited.stdout.contains(#""hi":"x""#))
        let shown = try await runCommand("sluice", ["job", "show", id, "--json"], environment: env)
        let json = try JSONValue(parsing: shown.stdout)
        #expect(json["state"] == "success")
        #expect(json["path"] == "f/test/greet")
        let stats = try await runCommand("sluice", ["queues", "--json"], environment: env)
        let statistics = try JSONValue(parsing: stats.stdout)
        #expect(statistics["queues"]?.arrayValue?.first?["succeeded"] == 2)
        #expect(statistics["workers"]?.arrayValue?.count == 1)
        _ = worker
    }

    @Test(
        "bad input to the CLI: a clear first line on stderr, non-zero exit, nothing written",
        arguments: [
            (["run", "f/test/missing"], "no script or flow at 'f/test/missing'"),
            (["run", "--identity", "--args", "{not json"], "--args is not valid JSON"),
            (["run", "--identity", "--args", "[1,2]"], "--args must be a JSON object"),
            (["run", "--identity", "-a", "novalue"], "-a expects key=value"),
            (["job", "show", "nope"], "is not a job id"),
            (["job", "show", "01M87KGH8Q8T0PSFFTTWYSVC5J"], "no job '01M87KGH8Q8T0PSFFTTWYSVC5J'"),
            (["script", "push", "bad path", "/etc/hostname"], "invalid path"),
            (["script", "push", "f/x/y", "/nonexistent/file.py"], "cannot read"),
            (["run", "--identity", "--queue", "a b"], "invalid queue name"),
        ])
    func badInput(arguments: [String], message: String) async throws {
        let keys = KeySpace.unique()
        let result = try await runCommand("sluice", arguments, environment: environment(keys))
        #expect(result.status != 0)
        // The first line says what is wrong (argument errors add the usage line after it).
        #expect(result.stderr.split(separator: "\n").first?.contains(message) == true, "stderr: \(result.stderr)")
        let written = try server.connect().send("KEYS", .string(keys.prefix + "*")).array ?? []
        #expect(written.isEmpty)
    }

    @Test(
        "a worker whose jobs have the network refuses a Redis that answers without a password, unless allowed (then it warns) or the jobs have no network"
    )
    func unauthenticatedRedis() async throws {
        let open = try RedisServer(password: nil)
        defer { open.stop() }
        var environment = open.sluiceEnvironment(prefix: KeySpace.unique().prefix, logLevel: "info")
        let refused = try await runCommand("worker", ["--concurrency", "1"], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("127.0.0.1:\(open.port) answers without a password, and jobs have the network"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-unauthenticated-redis"))
        let unsandboxed = try await runCommand("worker", ["--concurrency", "1", "--sandbox", "none"], environment: environment)
        #expect(unsandboxed.status != 0)
        #expect(unsandboxed.stderr.contains("answers without a password, and jobs are not sandboxed"), "\(unsandboxed.stderr)")
        for (arguments, warns) in [(["--allow-unauthenticated-redis"], true), (["--sandbox-no-network"], false)] {
            environment["SLUICE_PREFIX"] = KeySpace.unique().prefix
            let worker = try ChildProcess("worker", ["--concurrency", "1"] + arguments, environment: environment)
            let connection = try RedisConnection(configuration: open.configuration)
            var registered = false
            for _ in 0..<250 where !registered {
                registered = (try connection.send("ZCARD", .string(environment["SLUICE_PREFIX", default: ""] + ":workers")).integer ?? 0) > 0
                if !registered { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(registered, "\(arguments): \(worker.log)")
            #expect(worker.log.contains("answers without a password") == warns, "\(arguments): \(worker.log)")
            worker.signal(SIGTERM)
            let status = await worker.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "\(arguments): \(String(describing: status)) \(worker.log)")
        }
        // The default test server has a password: the same worker starts without a word about it.
        let worker = try ChildProcess("worker", ["--concurrency", "1"], environment: server.sluiceEnvironment(prefix: KeySpace.unique().prefix))
        try await Task.sleep(for: .milliseconds(500))
        #expect(await worker.waitForExit(timeout: .zero) == nil, "\(worker.log)")
        #expect(!worker.log.contains("without a password"))
    }

    @Test("an unreachable Redis is a clear error, not a crash")
    func unreachableRedis() async throws {
        let result = try await runCommand("sluice", ["queues"], environment: ["SLUICE_REDIS_URL": "redis://127.0.0.1:1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Redis connection failed"))
        #expect(result.stderr.contains("127.0.0.1:1"))
    }
}

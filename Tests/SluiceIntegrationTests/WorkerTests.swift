import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

@Suite("Worker running real scripts against a real redis-server", .serialized)
struct WorkerTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("python3: main(**args) is called and its return value is the JSON result; logs are kept")
    func python() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let id = try harness.run(
                .python3,
                """
                import sys
                def main(x: int, name: str = "a"):
                    print("out line")
                    print("err line", file=sys.stderr)
                    return {"double": x * 2, "name": name, "items": [1, None, True]}
                """,
                arguments: ["x": 21, "ignored": "extra arguments main does not take are dropped"])
            let job = try await harness.finished(id)
            #expect(job.state == .success)
            #expect(job.result == ["double": 42, "name": "a", "items": [1, nil, true]])
            let logs = try harness.store.logs(id, on: server.connect()) ?? ""
            #expect(logs.contains("out line"))
            #expect(logs.contains("err line"))
        }
    }

    @Test("python3: an exception fails the job with its type, message and traceback")
    func pythonFailure() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let id = try harness.run(.python3, "def main():\n    raise KeyError('missing')\n")
            let job = try await harness.finished(id)
            #expect(job.state == .failure)
            #expect(job.error?.hasPrefix("KeyError: 'missing'") == true)
            #expect(job.error?.contains("Traceback") == true)
        }
    }

    @Test("bash: positional arguments in declared order; the last stdout line is the result (JSON if it parses)")
    func bash() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let json = try harness.run(
                .bash,
                """
                greeting="$2"
                name="${1}"
                count="${3:-1}"
                echo "diagnostics" >&2
                echo "{\\"text\\": \\"$greeting $name\\", \\"count\\": $count}"
                """,
                arguments: ["name": "Ada", "greeting": "Hi", "count": 3])
            let plain = try harness.run(.bash, "who=\"$1\"\necho first\necho \"done by $who\"\n", arguments: ["who": "bob"])
            let failing = try harness.run(.bash, "echo about to fail\nexit 3\n")
            #expect(try await harness.finished(json).result == ["text": "Hi Ada", "count": 3])
            #expect(try await harness.finished(plain).result == "done by bob")
            let failed = try await harness.finished(failing)
            #expect(failed.state == .failure)
            #expect(failed.error?.contains("exited with code 3") == true)
            #expect(failed.error?.contains("about to fail") == true)
        }
    }

    @Test("a script that runs past its timeout is killed with everything it started, setsid'd children included")
    func timeout() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let tag = "\(Int.random(in: 100_000...999_999))"
        try await harness.withWorker { _ in
            let id = try harness.run(
                .bash,
                """
                tag="$1"
                ( sleep 41.$tag ) &
                setsid sleep 42.$tag &
                sleep 30
                echo never
                """,
                arguments: ["tag": .string(tag)],
                timeoutSeconds: 1)
            let job = try await harness.finished(id)
            #expect(job.state == .failure)
            #expect(job.error == "timed out after 1 s")
            #expect(await HostInspection.waitUntilGone("sleep 41.\(tag)").isEmpty, "a background child survived the timeout")
            #expect(await HostInspection.waitUntilGone("sleep 42.\(tag)").isEmpty, "a setsid child survived the timeout")
        }
    }

    @Test("scripts see SLUICE_JOB_ID and their job's env, never Redis settings or the worker's descriptors")
    func environment() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let runner = ScriptRunner(
            settings: ScriptRunnerSettings(passedEnvironment: ["PATH", "SLUICE_REDIS_URL", "SECRET_TOKEN"]),
            processEnvironment: ["PATH": "/usr/bin:/bin", "SLUICE_REDIS_URL": "redis://:pw@host", "SECRET_TOKEN": "passed-on-purpose"])
        try await harness.withWorker(runner: runner) { _ in
            let id = try harness.run(
                .bash,
                """
                fds=""
                for fd in /proc/$$/fd/*; do fds="$fds $(basename "$fd")=$(readlink "$fd")"; done
                echo "{\\"job\\": \\"$SLUICE_JOB_ID\\", \\"redis\\": \\"${SLUICE_REDIS_URL:-unset}\\", \\"token\\": \\"${SECRET_TOKEN:-unset}\\", \\"team\\": \\"$TEAM\\", \\"fds\\": \\"$fds\\"}"
                """,
                environment: ["TEAM": "payments"])
            let job = try await harness.finished(id)
            #expect(job.result?["job"] == .string(id.rawValue))
            #expect(job.result?["redis"] == "unset")
            #expect(job.result?["token"] == "passed-on-purpose")
            #expect(job.result?["team"] == "payments")
            // Only stdin, stdout and stderr: no inherited Redis sockets.
            print("LOGS", try harness.store.logs(id, on: server.connect()) ?? "")
            let descriptors = job.result?["fds"]?.stringValue?.split(separator: " ").compactMap { Int($0) } ?? []
            // bash keeps the script itself open on descriptor 255.
            #expect(descriptors.filter { $0 > 2 && $0 != 255 }.isEmpty, "inherited descriptors: \(descriptors)")
        }
    }

    @Test("a wait longer than one blocking slice registers once: the job's end leaves no wake-up token behind")
    func longWaitRegistersOnce() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let gate = try await JobGate()
            let id = try harness.run(.bash, "\(gate.bashLine)\necho done\n")
            #expect(await gate.waitUntilReached(), "the job never reached the gate")
            async let waited = harness.finished(id, timeout: .seconds(60))
            // Past the wait's first 5-s slice, so it looks again.
            try await Task.sleep(for: .seconds(6))
            gate.release()
            #expect(try await waited.result == "done")
            let left = try server.connect().send(["LLEN", .string(harness.store.keys.jobDone(id))]).integer
            #expect(left == 0, "\(left ?? -1) wake-up tokens left behind")
        }
    }

    @Test("the scratch directory is removed after the run", arguments: [BashRunnerMode.slot, .process])
    func scratchRemoved(mode: BashRunnerMode) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let runner = ScriptRunner(settings: ScriptRunnerSettings(bashRunner: mode))
        try await harness.withWorker(runner: runner) { _ in
            let gate = try await JobGate()
            let id = try harness.run(.bash, "touch mine\n\(gate.bashLine)\necho done\n")
            #expect(await gate.waitUntilReached(), "the job never reached the gate")
            // While it runs, its directory is in the worker's runs (a slot's job sees it as /sluice/runs/…).
            let runs = try #require(runner.scratchDirectory) + "/runs"
            let own = { (try? FileManager.default.contentsOfDirectory(atPath: runs))?.filter { $0.hasPrefix(id.rawValue + "-") } ?? [] }
            let held = own()
            #expect(held.count == 1, "\(held)")
            #expect(held.allSatisfy { FileManager.default.fileExists(atPath: runs + "/" + $0 + "/mine") })
            gate.release()
            #expect(try await harness.finished(id).result == "done")
            #expect(own().isEmpty, "\(own()) is still there")
        }
    }

    @Test(
        "canceling a running job kills its process at the next heartbeat (bash, and python forked by the warm server)",
        arguments: [(ScriptLanguage.bash, "sleep 300\n"), (.python3, "import time\n\ndef main():\n    time.sleep(300)\n")])
    func cancelRunning(language: ScriptLanguage, script: String) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        // One slot: the next job runs only once the canceled one's process is gone.
        try await harness.withWorker(harness.settings(concurrency: 1, lease: .milliseconds(600))) { _ in
            let id = try harness.run(language, script)
            let connection = try server.connect()
            try await harness.waitUntilRunning(id)
            let started = ContinuousClock.now
            #expect(try harness.store.cancel(id, reason: "stop it", on: connection) == .running)
            // The worker's slot is free again once the process is gone: a new job runs.
            let next = try harness.run(.bash, "echo free\n")
            #expect(try await harness.finished(next).result == "free")
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(try harness.store.job(id, on: connection)?.state == .canceled)
        }
    }

    @Test("a job handed back and taken again by the same worker: each delivery is tracked apart, so it runs exactly twice")
    func redeliveryToSameWorker() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withScheduler {
            // Delivery 2 outlives its 2-s lease by far, so a lease dropped at delivery 1's end lapses
            // while it runs; renewed as it should be, two seconds leave room for a loaded machine
            // (with one second, make test's load once let a renewal come late: a third delivery).
            try await harness.withWorker(harness.settings(concurrency: 2, lease: .seconds(2))) { _ in
                // Delivery 1 holds at a gate until handed back, then ends; delivery 2 runs on well
                // past delivery 1's end.
                let gate = try await JobGate()
                let id = try harness.run(
                    .bash, "if [ \"$SLUICE_DELIVERY\" = 1 ]; then \(gate.bashLine); else sleep 5; fi\necho \"$SLUICE_DELIVERY\"\n")
                let connection = try server.connect()
                #expect(await gate.waitUntilReached(), "delivery 1 never reached the gate")
                // As if the worker had stalled past its lease: the job is handed back and this
                // same worker's free slot takes it again as delivery 2.
                _ = try connection.send("ZADD", .string(harness.store.keys.leases), "0", .string(id.rawValue))
                _ = try harness.store.reclaimExpiredLeases(on: connection)
                // Delivery 1 ends only once delivery 2 runs (5 s: a wide window to see it in).
                var second = false
                for _ in 0..<1500 where !second {
                    let seen = try harness.store.job(id, on: connection)
                    second = seen?.deliveries == 2 && seen?.state == .running
                    if !second { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(second, "delivery 2 was never seen running")
                gate.release()
                let job = try await harness.finished(id)
                // Before runs were tracked by delivery, delivery 1's end dropped delivery 2's entry,
                // its lease lapsed and the job ran a third time.
                #expect(job.state == .success)
                #expect(job.result == 2)
                #expect(job.deliveries == 2)
            }
        }
    }

    @Test("the worker carries on after Redis restarts under it")
    func redisRestart() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            let before = try harness.run(.bash, "echo one\n")
            #expect(try await harness.finished(before).result == "one")
            server.kill()
            try await Task.sleep(for: .milliseconds(300))
            try server.start()
            let after = try harness.run(.bash, "echo two\n")
            #expect(try await harness.finished(after).result == "two")
        }
    }
}

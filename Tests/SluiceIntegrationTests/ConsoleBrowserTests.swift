import Foundation
import SluiceCore
import SluiceRedis
import SluiceSecrets
import SluiceStore
import SluiceTesting
import Testing

/// The console in headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
/// selenium): live pages against a real worker.
@Suite("The console in headless Chromium", .serialized, .tags(.browser))
struct ConsoleBrowserTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("a job finishing updates the overview and the job's page without reload within 2 s")
    func liveUpdates() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let id = try stack.harness.run(.bash, "echo working\nsleep 8\necho '{\"done\": true}'\n")
            let connection = try stack.harness.server.connect()
            var state = try stack.harness.store.job(id, on: connection)?.state
            for _ in 0..<500 where state != .running {
                try await Task.sleep(for: .milliseconds(20))
                state = try stack.harness.store.job(id, on: connection)?.state
            }
            try #require(state == .running)
            let shots = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-console-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: shots) }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("browser/console_live.py").path
            let run = try await runProcess("/usr/bin/python3", [script, stack.baseURL, id.rawValue, "default", shots.path])
            #expect(run.status == 0, "browser run failed: \(run.stderr)")
            let seen = try JSONValue(parsing: run.stdout)
            let job = try await stack.harness.finished(id)
            let finishedAt = try #require(job.finishedAt)
            // The pages were opened while the job ran, and changed in place (the marker set at load survives).
            #expect(seen["stateAtLoad"] == "running")
            #expect(seen["stateAfter"] == "success")
            #expect(seen["countAfter"]?.numberValue == (seen["countAtLoad"]?.numberValue ?? -1) + 1)
            for page in ["job", "overview"] {
                #expect(seen["seen"]?[page]?["marker"] == "loaded once", "\(page) page reloaded or never updated")
                let at = try #require(seen["seen"]?[page]?["at"]?.numberValue, "\(page) page never showed the job finished")
                #expect(Int64(at) - finishedAt <= 2000, "\(page) page showed the job finished \(Int64(at) - finishedAt) ms after it did")
            }
            #expect(seen["jobRows"]?.numberValue == 1)
            for name in ["overview-before.png", "overview.png", "job.png", "jobs.png"] {
                #expect(FileManager.default.fileExists(atPath: shots.appendingPathComponent(name).path))
            }
            if let keep = ProcessInfo.processInfo.environment["SLUICE_KEEP_SCREENSHOTS"] {
                for name in ["overview.png", "job.png", "jobs.png"] {
                    let target = URL(fileURLWithPath: keep).appendingPathComponent(name)
                    try? FileManager.default.removeItem(at: target)
                    try FileManager.default.copyItem(at: shots.appendingPathComponent(name), to: target)
                }
            }
        }
    }

    @Test("a flow with a branch, a parallel loop and a gate draws in the browser, and approving on its page moves the flow on")
    func approveOnTheGraph() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let (flow, gate) = try await ConsoleFlowTests.parked(stack)
            let shots = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-console-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: shots) }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("browser/console_gate.py").path
            let run = try await runProcess("/usr/bin/python3", [script, stack.baseURL, flow.rawValue, shots.path])
            #expect(run.status == 0, "browser run failed: \(run.stderr)")
            let seen = try JSONValue(parsing: run.stdout)
            #expect(seen["gatesRows"] == 1)
            let before = try #require(seen["before"])
            #expect(before["columns"]?["big"] == "false")
            #expect(before["columns"]?["default"] == "true")
            #expect(before["columns"]?["iteration 1"] == "iteration")
            #expect(before["columns"]?["iteration 3"] == "iteration")
            #expect(before["states"]?["small@r.0.1"] == "success")
            #expect(before["states"]?["big@r.0.0"] == "not-run")
            for iteration in 0..<3 { #expect(before["states"]?["double@r.1.\(iteration)"] == "success") }
            #expect(before["states"]?["gate@r"] == "success/open")
            #expect(before["states"]?["after@r"] == "not-run")
            #expect(seen["after"]?["states"]?["gate@r"] == "success/approved")
            #expect(seen["after"]?["states"]?["after@r"] == "success")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            #expect(done.result == ["note": "from the browser"])
            let record = try GateStore(keys: stack.keys).gate(gate, on: stack.harness.server.connect())
            #expect(record?.approvals.map(\.via) == ["operator"])
            for name in ["gates.png", "flow.png", "flow-approved.png"] {
                #expect(FileManager.default.fileExists(atPath: shots.appendingPathComponent(name).path))
            }
            if let keep = ProcessInfo.processInfo.environment["SLUICE_KEEP_SCREENSHOTS"] {
                for name in ["gates.png", "flow.png", "flow-approved.png"] {
                    let target = URL(fileURLWithPath: keep).appendingPathComponent(name)
                    try? FileManager.default.removeItem(at: target)
                    try FileManager.default.copyItem(at: shots.appendingPathComponent(name), to: target)
                }
            }
        }
    }

    @Test("the scripts, run form, schedules and variables pages render in the browser with real data, and no secret reaches it")
    func otherPages() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let connection = try stack.harness.server.connect()
            try stack.harness.pushFlow(ConsoleRunTests.flow, path: "f/ops/resize")
            _ = try ScriptStore(keys: stack.keys).push(
                path: try #require(ScriptPath("f/ops/greet")), language: .bash, content: "name=\"$1\"\necho \"hello $name\"\n", on: connection)
            let now = try connection.serverMilliseconds()
            _ = try ScheduleStore(keys: stack.keys).set(
                ScheduleDefinition(name: "nightly", path: "f/ops/greet", cron: "0 3 * * *"), nextDue: now + 3_600_000, on: connection)
            let key = SecretPrivateKey.generate()
            let secret = "sk_live_\(UUID().uuidString)"
            try VariableStore(keys: stack.keys).set(
                VariableUpdate(
                    path: "f/pay/stripe",
                    value: .sealed(try SecretSeal.seal(secret, path: "f/pay/stripe", to: key.publicKey), publicKey: key.publicKey)),
                on: connection)
            try VariableStore(keys: stack.keys).set(VariableUpdate(path: "f/pay/region", value: .plain("eu-west-1")), on: connection)
            let shots = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-console-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: shots) }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("browser/console_pages.py").path
            let paths = ["/scripts", "/flow?path=f/ops/resize", "/schedules", "/variables", "/audit"]
            let run = try await runProcess("/usr/bin/python3", [script, stack.baseURL, shots.path, secret] + paths)
            #expect(run.status == 0, "browser run failed: \(run.stderr)")
            let seen = try JSONValue(parsing: run.stdout)
            for path in paths { #expect(seen[path]?["secretShown"] == false, "\(path)") }
            #expect(seen["/scripts"]?["h1"] == "Scripts and flows")
            #expect(seen["/flow?path=f/ops/resize"]?["fields"] == ["in.n", "in.mode", "in.dry", "in.tags"])
            #expect(seen["/schedules"]?["h1"] == "Schedules")
            // The secret's new value and the new-variable form's value (it may be a secret) are typed unseen.
            #expect(seen["/variables"]?["passwordFields"] == 2)
            for name in ["scripts.png", "flow.png", "schedules.png", "variables.png", "audit.png"] {
                #expect(FileManager.default.fileExists(atPath: shots.appendingPathComponent(name).path))
            }
            if let keep = ProcessInfo.processInfo.environment["SLUICE_KEEP_SCREENSHOTS"] {
                for (name, target) in [
                    ("scripts.png", "scripts.png"), ("flow.png", "run-form.png"), ("schedules.png", "schedules.png"),
                    ("variables.png", "variables.png"),
                ] {
                    let destination = URL(fileURLWithPath: keep).appendingPathComponent(target)
                    try? FileManager.default.removeItem(at: destination)
                    try FileManager.default.copyItem(at: shots.appendingPathComponent(name), to: destination)
                }
            }
        }
    }
}

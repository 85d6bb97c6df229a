import Foundation
import SluiceCore
import SluiceStore
import SluiceTesting
import Testing

/// What the processes write to their logs: JSON lines with `--log-format json`, and never a
/// Redis password, a gate's secret, its minting key or a link's token.
@Suite("Logs: JSON lines, no secrets", .serialized, .tags(.processes))
struct LogHygieneTests {
    static let flow = """
        value:
          modules:
            - id: ask
              value: {type: identity}
              suspend: {required_events: 1, timeout: 600}
            - id: after
              value: {type: identity}
        """

    @Test("an approval flow driven over HTTP with every process at debug level in JSON: each line parses, none holds a secret")
    func noSecrets() async throws {
        let password = "pw-\(UUID().uuidString.prefix(12))"
        let server = try RedisServer(password: password)
        defer { server.stop() }
        let keys = KeySpace.unique()
        let httpPort = try RedisServer.freePort()
        let env = [
            "SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix, "SLUICE_LOG_LEVEL": "debug", "SLUICE_LOG_FORMAT": "json",
            "SLUICE_PUBLIC_URL": "http://127.0.0.1:\(httpPort)",
        ]
        let worker = try ChildProcess("worker", ["--concurrency", "2"], environment: env)
        let scheduler = try ChildProcess("scheduler", [], environment: env)
        let resumer = try ChildProcess("resumer", ["--port", String(httpPort)], environment: env)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString).yaml")
        try Self.flow.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        await #expect(try runCommand("sluice", ["flow", "push", "f/test/logs", file.path], environment: env).status == 0)
        let started = try await runCommand("sluice", ["run", "f/test/logs"], environment: env)
        let flowID = try #require(JobID(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let connection = try server.connect()
        let gates = GateStore(keys: keys)
        var gate: GateRecord?
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            gate = try gates.gates(ofFlow: flowID, on: connection).first { $0.state == .open }
            if gate != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let open = try #require(gate)
        let mintingKey = GateSecret.mintingKey(secret: open.secret)
        let links = ResumeLinks(publicURL: "http://127.0.0.1:\(httpPort)", gate: open.id.rawValue, subject: .named("alice"), mintingKey: mintingKey)
        let token = try #require(links.resume.split(separator: "/").dropLast().last.map(String.init))
        for _ in 0..<100 where try await runProcess("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(httpPort)/healthz"]).status != 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = try await runProcess("/usr/bin/curl", ["-s", links.approvalPage])
        _ = try await runProcess("/usr/bin/curl", ["-s", links.approvalPage + "x"])  // a forged link
        let posted = try await runProcess("/usr/bin/curl", ["-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{}", links.resume])
        #expect(posted.stdout.contains("approved"), "\(posted.stdout)")
        let done = try await runCommand("sluice", ["job", "wait", flowID.rawValue, "--timeout", "30"], environment: env)
        #expect(done.status == 0, "\(done.stderr)")
        worker.signal(SIGTERM)
        scheduler.signal(SIGTERM)
        resumer.signal(SIGTERM)
        for process in [worker, scheduler, resumer] { _ = await process.waitForExit(timeout: .seconds(10)) }
        let secrets = [password, open.secret, mintingKey.map { String(format: "%02x", $0) }.joined(), token]
        for (name, process) in [("worker", worker), ("scheduler", scheduler), ("resumer", resumer)] {
            let lines = process.log.split(separator: "\n").filter { !$0.isEmpty }
            #expect(!lines.isEmpty, "\(name) logged nothing")
            for line in lines {
                #expect((try? JSONValue(parsing: String(line)))?["message"] != nil, "\(name): not a JSON log line: \(line)")
                for secret in secrets { #expect(!line.contains(secret), "\(name) logged a secret: \(line)") }
            }
        }
    }
}

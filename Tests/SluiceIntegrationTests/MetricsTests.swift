import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// Prometheus metrics from every process, scraped for real, and the Grafana dashboard in deploy/
/// checked against those scrapes: every metric it queries exists.
@Suite("Metrics from every process", .serialized, .tags(.processes))
struct MetricsTests {
    static let flow = """
        value:
          modules:
            - id: ask
              value: {type: identity}
              suspend: {required_events: 1, timeout: 600}
            - id: after
              value: {type: rawscript, language: bash, content: 'echo done'}
        """

    /// The metric names of an exposition text (`name{labels} value` and `name value` lines).
    static func names(_ exposition: String) -> Set<String> {
        Set(
            exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                line.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
            })
    }

    static func value(_ exposition: String, _ series: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    @Test(
        "worker, scheduler and resumer expose their metrics on their own listeners (never the resumer's links port); every metric the Grafana dashboard queries is in a real scrape"
    )
    func dashboardMetricsExist() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let keys = KeySpace.unique()
        let (workerPort, schedulerPort, resumerPort) = (try RedisServer.freePort(), try RedisServer.freePort(), try RedisServer.freePort())
        let resumerMetricsPort = try RedisServer.freePort()
        let env = [
            "SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix, "SLUICE_LOG_LEVEL": "warning",
            "SLUICE_PUBLIC_URL": "http://127.0.0.1:\(resumerPort)",
        ]
        let worker = try ChildProcess("worker", ["--concurrency", "2", "--metrics-port", String(workerPort)], environment: env)
        let scheduler = try ChildProcess("scheduler", ["--metrics-port", String(schedulerPort)], environment: env)
        let resumer = try ChildProcess("resumer", ["--port", String(resumerPort), "--metrics-port", String(resumerMetricsPort)], environment: env)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).yaml")
        try Self.flow.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try await runCommand("sluice", ["flow", "push", "f/test/metrics", file.path], environment: env).status == 0)
        let started = try await runCommand("sluice", ["run", "f/test/metrics"], environment: env)
        let flowID = try #require(JobID(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        // A delayed job, fired by the scheduler: due a second after the CLI reads Redis's clock, so a
        // loaded machine's pause before the enqueue cannot make it due at once (queued, not promoted).
        #expect(try await runCommand("sluice", ["run", "--identity", "--in", "1", "--wait", "--timeout", "30"], environment: env).status == 0)
        let connection = try server.connect()
        var gate: GateRecord?
        for _ in 0..<600 where gate == nil {
            gate = try GateStore(keys: keys).gates(ofFlow: flowID, on: connection).first { $0.state == .open }
            if gate == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let open = try #require(gate)
        let links = ResumeLinks(
            publicURL: "http://127.0.0.1:\(resumerPort)", gate: open.id.rawValue, subject: .named("alice"),
            mintingKey: GateSecret.mintingKey(secret: open.secret))
        let posted = try await runProcess("/usr/bin/curl", ["-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{}", links.resume])
        #expect(posted.stdout.contains("approved"), "\(posted.stdout)")
        #expect(try await runCommand("sluice", ["job", "wait", flowID.rawValue, "--timeout", "30"], environment: env).status == 0)
        var scrapes: [String: String] = [:]
        for (name, port, path) in [
            ("worker", workerPort, "/metrics"), ("scheduler", schedulerPort, "/metrics"), ("resumer", resumerMetricsPort, "/metrics"),
        ] {
            let scraped = try await runProcess("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)\(path)"])
            #expect(scraped.status == 0, "\(name) has no /metrics")
            scrapes[name] = scraped.stdout
        }
        // Not beside the approval links: whoever reaches a link does not read open gates and outcomes.
        let beside = try await runProcess(
            "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(resumerPort)/metrics"])
        #expect(beside.stdout == "404")
        let workerText = try #require(scrapes["worker"])
        #expect((Self.value(workerText, #"sluice_gate_outcomes_total{outcome="approved"}"#) ?? 0) == 1, "\(workerText)")
        #expect(workerText.contains(#"sluice_jobs_finished_total{queue="default",kind="step",outcome="success"}"#))
        #expect((Self.value(workerText, "sluice_resume_latency_seconds_count") ?? 0) == 1)
        // The delayed identity job's report went through the batcher: one call, one report at least.
        #expect((Self.value(workerText, "sluice_worker_report_batch_size_count") ?? 0) >= 1, "\(workerText)")
        #expect((Self.value(workerText, "sluice_worker_report_batch_size_sum") ?? 0) >= 1)
        #expect((Self.value(try #require(scrapes["scheduler"]), "sluice_delayed_jobs_promoted_total") ?? 0) >= 1, "\(scrapes["scheduler"] ?? "")")
        #expect((Self.value(try #require(scrapes["resumer"]), #"sluice_approval_requests_total{outcome="approved"}"#) ?? 0) == 1)
        // The dashboard queries only what is really exposed.
        let seen = scrapes.values.reduce(into: Set<String>()) { $0.formUnion(Self.names($1)) }
        let dashboard = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy/grafana/sluice.json"),
            encoding: .utf8)
        let queried = Set(dashboard.matches(of: /sluice_[a-z_]+/).map { String($0.output) })
        #expect(!queried.isEmpty)
        let missing = queried.subtracting(seen).sorted()
        #expect(missing.isEmpty, "the dashboard queries metrics no process exposes: \(missing)")
        _ = (worker, scheduler, resumer)
    }
}

import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting
import Testing

/// One worker, one scheduler and one resumer serving several prefixes (`--prefix a,b`): each
/// prefix's jobs, delayed jobs and gates, and links that name their prefix.
@Suite("Several prefixes per process", .serialized, .tags(.processes))
struct PrefixesTests {
    static let flow = """
        value:
          modules:
            - id: ask
              value:
                type: rawscript
                language: python3
                content: |
                  import wmill

                  def main():
                      return wmill.get_resume_urls("alice")
                input_transforms: {}
              suspend: {required_events: 1, timeout: 600}
            - id: after
              value: {type: identity}
        """

    @Test("worker, scheduler and resumer on two prefixes: both prefixes' flows park, their script-minted links name the prefix and approve them")
    func twoPrefixes() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let first = KeySpace.unique("first")
        let second = KeySpace.unique("second")
        let httpPort = try RedisServer.freePort()
        let env = [
            "SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": "\(first.name),\(second.name)", "SLUICE_LOG_LEVEL": "warning",
            "SLUICE_PUBLIC_URL": "http://127.0.0.1:\(httpPort)",
        ]
        let processes = [
            try ChildProcess("worker", ["--concurrency", "2"], environment: env), try ChildProcess("scheduler", [], environment: env),
            try ChildProcess("resumer", ["--port", String(httpPort)], environment: env),
        ]
        let connection = try server.connect()
        var flows: [(KeySpace, JobID)] = []
        for keys in [first, second] {
            let engine = FlowEngine(flows: FlowStore(keys: keys))
            let path = try #require(ScriptPath("f/test/prefixes"))
            _ = try engine.push(path: path, text: Self.flow, on: connection)
            let id = JobID.generate()
            try engine.start(FlowEngine.Start(id: id, path: path.rawValue, input: [:]), on: connection)
            flows.append((keys, id))
            // A delayed job in each prefix: the one scheduler fires both.
            _ = try JobStore(keys: keys).enqueue(
                EnqueueRequest(id: JobID.generate(), kind: .identity, runAt: try connection.serverMilliseconds() + 300), on: connection)
        }
        for (keys, flow) in flows {
            var links: JSONValue?
            for _ in 0..<600 where links == nil {
                if let gate = try GateStore(keys: keys).gates(ofFlow: flow, on: connection).first, gate.state == .open {
                    links = try connection.send("HGET", .string(keys.flowResults(flow)), "ask").string.flatMap { try? JSONValue(parsing: $0) }
                }
                if links == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let resume = try #require(links?["resume"]?.stringValue)
            #expect(resume.hasPrefix("http://127.0.0.1:\(httpPort)/p/\(keys.name)/approvals/"), "\(resume)")
            let posted = try await runProcess("/usr/bin/curl", ["-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{}", resume])
            #expect(posted.stdout.contains("approved"), "\(posted.stdout)")
            let done = try await offThread { try JobStore(keys: keys).wait(for: flow, timeout: .seconds(30), on: server.connect()) }
            #expect(done?.state == .success)
        }
        for keys in [first, second] {
            let stats = try connection.send("HGET", .string(keys.stats("default")), "success").string.flatMap { Int($0) } ?? 0
            #expect(stats >= 4, "\(keys.name): the delayed job, the flow's steps")
        }
        _ = processes
    }
}

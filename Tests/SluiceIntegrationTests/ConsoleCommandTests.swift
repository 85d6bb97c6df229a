import Foundation
import SluiceTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `sluice console` as a process: what it refuses, and that it serves and stops.
@Suite("sluice console", .serialized, .tags(.processes))
struct ConsoleCommandTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("a listen address that is not loopback is refused, naming --auth token; so is a malformed one")
    func refusesNonLoopback() async throws {
        let open = try await runCommand("sluice", ["console", "--listen", "0.0.0.0:8080"], environment: server.sluiceEnvironment(prefix: "t-cli"))
        #expect(open.status != 0)
        #expect(open.stderr.contains("is not a loopback address"))
        #expect(open.stderr.contains("--auth token"))
        let malformed = try await runCommand("sluice", ["console", "--listen", "8080"], environment: server.sluiceEnvironment(prefix: "t-cli"))
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("--listen must be HOST:PORT"))
    }

    @Test("it prints its URL, serves the overview with the security headers, and exits on SIGTERM")
    func servesAndStops() async throws {
        let port = try RedisServer.freePort()
        let child = try ChildProcess(
            "sluice", ["console", "--listen", "127.0.0.1:\(port)", "--as", "olga"], environment: server.sluiceEnvironment(prefix: "t-cli-serve"))
        var printed = false
        for _ in 0..<500 where !printed {
            try await Task.sleep(for: .milliseconds(20))
            printed = child.log.contains("Sluice console on http://127.0.0.1:\(port)/")
        }
        #expect(printed, "no URL printed: \(child.log)")
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://127.0.0.1:\(port)/")))
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains("operator: olga"))
        #expect(http.value(forHTTPHeaderField: "X-Frame-Options") == "DENY")
        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: .seconds(15)) != nil)
    }

    @Test("SIGTERM ends open live streams instead of waiting out their 60 s, and the console exits")
    func stopsWithOpenStreams() async throws {
        let port = try RedisServer.freePort()
        let child = try ChildProcess(
            "sluice", ["console", "--listen", "127.0.0.1:\(port)"], environment: server.sluiceEnvironment(prefix: "t-cli-sse"))
        var printed = false
        for _ in 0..<500 where !printed {
            try await Task.sleep(for: .milliseconds(20))
            printed = child.log.contains("Sluice console on")
        }
        let stream = try ChildProcess("/usr/bin/curl", ["-sN", "http://127.0.0.1:\(port)/live/overview"])
        var streaming = false
        for _ in 0..<500 where !streaming {
            try await Task.sleep(for: .milliseconds(20))
            streaming = stream.log.contains("event: fragment")
        }
        #expect(streaming, "no stream: \(stream.log)")
        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: .seconds(20)) != nil, "the console waited for its open stream")
        #expect(await stream.waitForExit(timeout: .seconds(5)) != nil)
    }
}

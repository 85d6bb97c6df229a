import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// Every executable on a `redis+sentinel://` URL while the master is SIGKILLed mid-load.
@Suite("Processes on Redis Sentinel through a failover", .serialized, .tags(.processes))
struct SentinelProcessTests {
    /// Enqueues identity jobs, retrying through the failover: returns their ids.
    private func enqueue(_ count: Int, tag: String, store: JobStore, connection: RedisConnection) async throws -> [JobID] {
        var ids: [JobID] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ids.count < count, ContinuousClock.now < deadline {
            let id = JobID.generate()
            do {
                _ = try store.enqueue(
                    EnqueueRequest(id: id, kind: .identity, arguments: ["tag": .string(tag), "n": .number(Double(ids.count))]), on: connection)
                ids.append(id)
            } catch {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return ids
    }

    private func states(_ ids: [JobID], store: JobStore, connection: RedisConnection) throws -> [JobState?] {
        try ids.map { try store.job($0, on: connection)?.state }
    }

    @Test("worker, scheduler and resumer go on by themselves on the promoted replica; every job replicated before the kill still runs")
    func masterKilledMidLoad() async throws {
        let testbed = try await offThread { try SentinelTestbed() }
        defer { testbed.stop() }
        let keys = KeySpace.unique()
        let httpPort = try RedisServer.freePort()
        let env = ["SLUICE_REDIS_URL": testbed.url, "SLUICE_PREFIX": keys.prefix, "SLUICE_LOG_LEVEL": "info"]
        let worker = try ChildProcess("worker", ["--concurrency", "4", "--lease", "2"], environment: env)
        let scheduler = try ChildProcess("scheduler", [], environment: env)
        let resumer = try ChildProcess("resumer", ["--port", String(httpPort)], environment: env)
        let connection = try RedisConnection(configuration: testbed.configuration)
        let store = JobStore(keys: keys)
        let before = try await enqueue(200, tag: "before", store: store, connection: connection)
        // A job for later (through the delayed set: the scheduler must fire it on the new master).
        let delayed = JobID.generate()
        _ = try store.enqueue(EnqueueRequest(id: delayed, kind: .identity, runAt: Int64(Date().timeIntervalSince1970 * 1000) + 3000), on: connection)
        _ = try connection.send("WAIT", "1", "5000")
        testbed.master.kill()
        let killed = ContinuousClock.now
        let after = try await enqueue(50, tag: "after", store: store, connection: connection)
        #expect(after.count == 50)
        #expect(connection.masterAddress?.port == testbed.replica.port)
        let deadline = ContinuousClock.now + .seconds(60)
        var firstDone: Duration?
        while ContinuousClock.now < deadline {
            let current = try states(before + after + [delayed], store: store, connection: connection)
            if firstDone == nil, try states(after, store: store, connection: connection).contains(.success) {
                firstDone = ContinuousClock.now - killed
            }
            if current.allSatisfy({ $0 == .success }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(
            try states(after, store: store, connection: connection).allSatisfy { $0 == .success }, "jobs enqueued after the failover did not all run")
        #expect(try store.job(delayed, on: connection)?.state == .success, "the scheduler did not fire a delayed job on the new master")
        // Jobs replicated before the kill all finish: those a worker held at the kill are handed back when their lease expires.
        let earlier = try states(before, store: store, connection: connection)
        #expect(earlier.filter { $0 == nil }.count == 0, "jobs replicated before the kill were lost")
        #expect(earlier.allSatisfy { $0 == .success }, "\(earlier.filter { $0 != .success })")
        let health = try await runProcess("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(httpPort)/healthz"])
        #expect(health.stdout == "200", "the resumer did not follow the failover")
        print("sentinel failover: master SIGKILLed → first job finished on the new master after \(firstDone.map { "\($0)" } ?? "never")")
        _ = (worker, scheduler, resumer)
    }
}

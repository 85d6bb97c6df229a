import Foundation
import SluiceRedis
import SluiceTesting
import Testing

@Suite("Redis Sentinel: a master found through the sentinels, followed through a failover", .serialized)
struct SentinelFailoverTests {
    @Test("a sentinel URL reaches the master; after the master dies, the same connection goes on on the promoted replica")
    func followsFailover() async throws {
        let testbed = try await offThread { try SentinelTestbed() }
        defer { testbed.stop() }
        let connection = try RedisConnection(configuration: try RedisConfiguration(url: testbed.url))
        #expect(connection.masterAddress?.port == testbed.master.port)
        try connection.send("SET", "before", "1")
        _ = try connection.send("WAIT", "1", "2000")
        testbed.master.kill()
        // Until the sentinels promote the replica, calls fail with connection errors; then they work again.
        let deadline = ContinuousClock.now + .seconds(30)
        var recovered = false
        while ContinuousClock.now < deadline {
            do {
                try connection.send("SET", "after", "2")
                recovered = true
                break
            } catch {
                guard error.isConnectionError else { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(recovered)
        #expect(connection.masterAddress?.port == testbed.replica.port)
        #expect(try connection.send("GET", "before").string == "1")
        #expect(try connection.send("GET", "after").string == "2")
        // Every sentinel learns the new master within a few of its hello rounds.
        var named: Int?
        for _ in 0..<100 where named != testbed.replica.port {
            named = try testbed.currentMasterPort()
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(named == testbed.replica.port)
    }

    @Test("a replica's READONLY answer is a connection error that drops the connection, so the next call looks for the master again")
    func readOnlyDropsConnection() throws {
        let master = try RedisServer()
        let replica = try RedisServer(
            arguments: ["--replicaof", "127.0.0.1", String(master.port), "--masterauth", master.password ?? ""], password: master.password)
        defer { [replica, master].forEach { $0.stop() } }
        let direct = try RedisConnection(configuration: replica.configuration)
        #expect {
            try direct.send("SET", "k", "1")
        } throws: { error in
            (error as? RedisError)?.isConnectionError == true && "\(error)".contains("READONLY")
        }
        #expect(!direct.isConnected)
    }

    @Test("no sentinel reachable: a clear connection error naming each attempt")
    func noSentinels() throws {
        let port = try RedisServer.freePort()
        let configuration = try RedisConfiguration(url: "redis+sentinel://127.0.0.1:\(port)/sluice")
        #expect {
            _ = try RedisConnection(configuration: configuration)
        } throws: { error in
            "\(error)".contains("no master 'sluice' reachable through the sentinels") && "\(error)".contains("127.0.0.1:\(port)")
        }
    }
}

/// Runs blocking set-up work on a Dispatch thread, off Swift's cooperative pool (one thread per core).
func offThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

import SluiceRedis
import SluiceTesting
import Testing

@Suite("RedisConnection against a real redis-server", .serialized)
struct RedisConnectionTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("commands round-trip binary-safe values")
    func binarySafe() throws {
        let connection = try RedisConnection(configuration: server.configuration)
        let value: [UInt8] = [0, 1, 2, 0xFF, 0x0D, 0x0A, 0]
        try connection.send(["SET", "binary", .bytes(value)])
        #expect(try connection.send("GET", "binary") == .bulk(value))
        #expect(try connection.send("GET", "missing") == .null)
        #expect(try connection.send("INCRBY", "counter", "5") == .integer(5))
        #expect(try connection.send("PING") == .status("PONG"))
    }

    @Test("an error reply is thrown with Redis's message")
    func errorReply() throws {
        let connection = try RedisConnection(configuration: server.configuration)
        try connection.send("SET", "text", "x")
        #expect(throws: RedisError.self) { try connection.send("INCR", "text") }
        do {
            try connection.send("LPUSH", "text", "y")
            Issue.record("expected WRONGTYPE")
        } catch {
            #expect("\(error)".contains("WRONGTYPE"))
        }
        // The connection is still usable after an error reply.
        #expect(try connection.send("GET", "text") == .bulk(Array("x".utf8)))
    }

    @Test("a pipeline answers every command in order, errors in place")
    func pipeline() throws {
        let connection = try RedisConnection(configuration: server.configuration)
        let replies = try connection.pipeline([
            ["SET", "p1", "a"],
            ["INCR", "p1"],
            ["GET", "p1"],
            ["RPUSH", "plist", "1", "2", "3"],
            ["LRANGE", "plist", "0", "-1"],
        ])
        #expect(replies.count == 5)
        #expect(replies[0] == .status("OK"))
        if case .error(let message) = replies[1] {
            #expect(message.contains("not an integer"))
        } else {
            Issue.record("expected an error reply, got \(replies[1])")
        }
        #expect(replies[2].string == "a")
        #expect(replies[3] == .integer(3))
        #expect(replies[4].array?.compactMap(\.string) == ["1", "2", "3"])
    }

    @Test("EVALSHA loads the script again after SCRIPT FLUSH")
    func scriptReload() throws {
        let connection = try RedisConnection(configuration: server.configuration)
        let script = RedisScript(name: "add", source: "return redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(try connection.evaluate(script, keys: ["sum"], arguments: ["2"]) == .integer(2))
        try connection.send("SCRIPT", "FLUSH")
        #expect(try connection.evaluate(script, keys: ["sum"], arguments: ["3"]) == .integer(5))
        let failing = RedisScript(name: "fails", source: "return redis.error_reply('STALE lease lost')")
        do {
            try connection.evaluate(failing, keys: [], arguments: [])
            Issue.record("expected the script's error")
        } catch {
            #expect("\(error)".contains("fails: STALE lease lost"))
        }
    }

    @Test("a connection reconnects after the server restarts")
    func reconnect() throws {
        let connection = try RedisConnection(configuration: server.configuration)
        try connection.send("SET", "before", "1")
        server.kill()
        #expect(throws: RedisError.self) { try connection.send("PING") }
        try server.start()
        #expect(try connection.send("PING") == .status("PONG"))
    }

    @Test("connecting to a closed port is a clear connection error")
    func refused() throws {
        let closedPort = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 1))
        do {
            _ = try RedisConnection(configuration: closedPort)
            Issue.record("expected a connection error")
        } catch {
            #expect(error.isConnectionError)
            #expect("\(error)".contains("127.0.0.1:1"))
        }
    }

    @Test("the async client runs calls off the cooperative pool and in order")
    func asyncClient() async throws {
        let client = RedisClient(configuration: server.configuration)
        try await client.send(["DEL", "ordered"])
        for value in 0..<50 {
            try await client.send(["RPUSH", "ordered", .int(value)])
        }
        let values = try await client.send(["LRANGE", "ordered", "0", "-1"]).array?.compactMap(\.integer)
        #expect(values == (0..<50).map(Int64.init))
    }
}

import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceStore

/// A name the prelude's tables do not define, and a field `hash_fields` did not read, raise an
/// error in Redis instead of reading nil.
@Suite("Lua names are strict")
struct LuaNameStrictnessTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// Runs `body` as a store script is put together: the helpers it names and the body, its names
    /// inlined, after the constants it names.
    func run(_ body: String, keys: [RedisArgument] = [], on connection: RedisConnection) throws -> RedisReply {
        let code = LuaAssembly.assemble(includes: StoreScripts.includes, body: body)
        return try connection.evaluate(RedisScript(name: "strictness", source: LuaPrelude.program(code)), keys: keys, arguments: [])
    }

    func error(of body: String, keys: [RedisArgument] = [], on connection: RedisConnection) -> String {
        do {
            let reply = try run(body, keys: keys, on: connection)
            return "no error: \(reply)"
        } catch {
            return "\(error)"
        }
    }

    @Test("a name a table defines reads its stored name; one it does not define raises `unknown <what> <name>`")
    func tablesAreStrict() throws {
        let connection = try server.connect()
        #expect(
            try run("return {JOB.created_at, JOB.args, GATE.deadline, SCHEDULE.next_due, JOB_KIND.flow_event}", on: connection).array?.map(\.string)
                == ["created_at", "args", "deadline", "next_due", "flow_event"])
        #expect(error(of: "return JOB.craeted_at", on: connection).contains("unknown job field craeted_at"))
        #expect(error(of: "return JOB.state .. GATE.sate", on: connection).contains("unknown gate field sate"))
        #expect(error(of: "return KEY.jobs", on: connection).contains("unknown key segment jobs"))
    }

    @Test("what hash_fields read answers its fields (false for a missing one) and raises an error for a field it was not asked for")
    func hashFieldsAreStrict() throws {
        let connection = try server.connect()
        let key = "strictness:job"
        _ = try connection.send(["HSET", .string(key), "state", "queued"])
        let read = try run(
            "local f = hash_fields(KEYS[1], JOB.state, JOB.queue) return {f.state, tostring(f.queue)}", keys: [.string(key)], on: connection)
        #expect(read.array?.map(\.string) == ["queued", "false"])
        let message = error(of: "local f = hash_fields(KEYS[1], JOB.state) return f.queue", keys: [.string(key)], on: connection)
        #expect(message.contains("hash_fields: the field queue was not read"), "\(message)")
    }
}

import SluiceCommandLine
import SluiceRedis
import SluiceStore

/// One CLI invocation's connection and stores.
struct Session {
    let connection: RedisConnection
    let jobs: JobStore
    let scripts: ScriptStore

    init(_ options: ConnectionOptions) throws {
        let configuration = try options.redisConfiguration()
        do {
            connection = try RedisConnection(configuration: configuration)
        } catch {
            throw CommandFailure("\(error)")
        }
        jobs = try options.jobStore()
        scripts = ScriptStore(keys: options.keySpace)
    }

    /// Runs a Redis operation, turning Redis errors into one-line command failures.
    func perform<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

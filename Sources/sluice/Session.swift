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
        let keys = try options.singlePrefix()
        jobs = try options.jobStore(for: keys)
        scripts = ScriptStore(keys: keys)
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

public import SluiceRedis

extension RedisServer {
    /// The variables that point a Sluice executable (`worker`, `scheduler`, `resumer`, `sluice`) at
    /// this server under `prefix`, with its log level — to add to a child process's environment.
    public func sluiceEnvironment(prefix: String, logLevel: String = "warning") -> [String: String] {
        ["SLUICE_REDIS_URL": url, "SLUICE_PREFIX": prefix, "SLUICE_LOG_LEVEL": logLevel]
    }

    /// A new connection to this server (as `configuration` describes it).
    public func connect() throws -> RedisConnection {
        try RedisConnection(configuration: configuration)
    }
}

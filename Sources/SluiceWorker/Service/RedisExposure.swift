public import SluiceExecution
public import SluiceRedis

/// Whether the jobs of a worker could use its Redis themselves: they reach the network (or are not
/// sandboxed at all), and the server answers a connection that presents no credentials. Such a job
/// could read gates' secrets, mint approval links, approve flows and read other jobs' arguments —
/// so the worker refuses to start that way unless told otherwise (docs/security.md).
public enum RedisExposure {
    /// The servers of `configuration` that answer `PING` without credentials, as jobs with the
    /// network would reach them: the address itself, a Sentinel group's current master, each seed of
    /// a cluster (a unix socket only when the sandbox shows it to jobs). Empty when the jobs have no
    /// network, or every server asks for authentication. Blocking: call it before serving.
    public static func openServers(_ configuration: RedisConfiguration, sandbox: SandboxSettings) -> [String] {
        guard sandbox.mode == .none || sandbox.network || configuration.endpoint.isUnix else { return [] }
        var addresses: [RedisConfiguration.Endpoint] = []
        switch configuration.endpoint {
        case .tcp:
            addresses = [configuration.endpoint]
        case .unix(let path):
            guard sandbox.exposure(of: path) != nil else { return [] }
            addresses = [configuration.endpoint]
        case .sentinel:
            // The master the sentinels name now (another may take over later: it is checked at
            // every start, and every server of a Sentinel group should share one password).
            guard let master = (try? RedisConnection(configuration: configuration))?.masterAddress else { return [] }
            addresses = [.tcp(host: master.host, port: master.port)]
        case .cluster(let seeds):
            addresses = seeds.map { .tcp(host: $0.host, port: $0.port) }
        }
        return addresses.filter { answersAnonymously($0, timeout: configuration.connectTimeout) }.map(\.label)
    }

    /// Whether the server at `endpoint` answers `PING` on a connection that never authenticated.
    static func answersAnonymously(_ endpoint: RedisConfiguration.Endpoint, timeout: Duration) -> Bool {
        var anonymous = RedisConfiguration(endpoint: endpoint, connectTimeout: timeout, commandTimeout: timeout)
        anonymous.slotKey = nil
        guard let connection = try? RedisConnection(configuration: anonymous) else { return false }
        defer { connection.close() }
        guard let reply = try? connection.send("PING") else { return false }
        return reply.string == "PONG"
    }
}

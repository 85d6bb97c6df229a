public import SluiceRedis
public import SluiceStore

/// How the resumer serves approval links.
public struct ResumerSettings: Sendable {
    public var redis: RedisConfiguration
    public var keys: KeySpace
    public var host: String
    public var port: Int
    /// The base URL people open (links are minted with it); used in pages' form actions.
    public var publicURL: String
    /// Largest request body accepted, in bytes.
    public var bodyLimit: Int
    /// Redis connections for requests.
    public var connections: Int
    /// Retention of finished jobs.
    public var store: StoreSettings

    public init(
        redis: RedisConfiguration,
        keys: KeySpace = KeySpace(),
        host: String = "127.0.0.1",
        port: Int = 8080,
        publicURL: String = "http://127.0.0.1:8080",
        bodyLimit: Int = 64 * 1024,
        connections: Int = 4,
        store: StoreSettings = StoreSettings()
    ) {
        self.redis = redis
        self.keys = keys
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.bodyLimit = bodyLimit
        self.connections = connections
        self.store = store
    }
}

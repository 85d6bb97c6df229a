public import SluiceRedis
public import SluiceSecrets
public import SluiceStore

/// How the resumer serves approval links.
public struct ResumerSettings: Sendable {
    /// A further prefix whose gates this resumer serves, and its Redis.
    public struct ServedPrefix: Sendable {
        public var keys: KeySpace
        public var redis: RedisConfiguration
        public init(keys: KeySpace, redis: RedisConfiguration) {
            self.keys = keys
            self.redis = redis
        }
    }

    public var redis: RedisConfiguration
    /// The first prefix: its links are served under `/p/<prefix>/approvals/...` and, as links
    /// were minted before they named their prefix, under `/approvals/...` too.
    public var keys: KeySpace
    /// More prefixes, each served under `/p/<prefix>/approvals/...` (`--prefix a,b,c`).
    public var otherPrefixes: [ServedPrefix] = []
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
    /// How long a connection may stay open without a request in progress — before its first
    /// request, between requests, or while a client drips its request headers — before it is closed.
    public var idleTimeout: Duration
    /// How long a request's body may take to arrive once its headers have; a slower client is dropped.
    public var readTimeout: Duration
    /// Connections served at once; a connection over the limit is answered `503` (or, for
    /// `GET /healthz`, served) and closed at once.
    public var maxConnections: Int
    /// How long a connection over the limit may take to send its request before it is closed.
    public var shedGrace: Duration
    /// Connections over `maxConnections` that are accepted to be answered and closed; beyond
    /// them, new connections wait in the listen backlog until one closes (so the process never
    /// runs out of descriptors).
    public var shedCapacity: Int
    /// Webhooks and HTTP routes: the synchronous wait, its cap, the idempotency window.
    public var triggers = TriggerSettings()
    /// Opens the secret variables routes check signatures with (none: such routes answer 401).
    public var keyring = SecretKeyring([])

    public init(
        redis: RedisConfiguration,
        keys: KeySpace = KeySpace(),
        host: String = "127.0.0.1",
        port: Int = 8080,
        publicURL: String = "http://127.0.0.1:8080",
        bodyLimit: Int = 64 * 1024,
        connections: Int = 4,
        store: StoreSettings = StoreSettings(),
        idleTimeout: Duration = .seconds(15),
        readTimeout: Duration = .seconds(10),
        maxConnections: Int = 1024,
        shedGrace: Duration = .milliseconds(500),
        shedCapacity: Int = 256
    ) {
        self.redis = redis
        self.keys = keys
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.bodyLimit = bodyLimit
        self.connections = connections
        self.store = store
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
        self.shedGrace = shedGrace
        self.shedCapacity = shedCapacity
    }

    /// Open files the resumer may need: its connections, those over the limit being answered, and
    /// some for Redis connections, logs and libraries.
    public var descriptorsNeeded: Int { maxConnections + shedCapacity + 64 }
}

public import SluiceRedis
public import SluiceStore

/// How `sluice console` serves: where it listens, which Redis and prefix it shows, and who the
/// operator is (the name its actions are recorded under).
public struct ConsoleSettings: Sendable {
    public var redis: RedisConfiguration
    public var keys: KeySpace
    public var store: StoreSettings
    public var listen: ListenAddress
    /// The name console actions are recorded under (`who` in the audit list, `via: operator` approvals).
    public var operatorName: String
    /// The resumer's public URL (as the worker's `--public-url`), for minting approval links; `nil`: none minted.
    public var resumerURL: String?
    /// Whether operators sign in with a token (`--auth token`); without, the console serves
    /// loopback only, as ``operatorName``.
    public var operatorTokens: Bool = false
    /// Redis connections for requests and live streams.
    public var connections: Int
    /// Largest request body accepted, in bytes.
    public var bodyLimit: Int
    /// How often a live stream (server-sent events) reads Redis again.
    public var liveInterval: Duration
    /// How long one live stream stays open before the browser reconnects (bounds a stream's life,
    /// so a shutdown never waits for a forgotten tab).
    public var liveLifetime: Duration

    public init(
        redis: RedisConfiguration, keys: KeySpace, store: StoreSettings = StoreSettings(), listen: ListenAddress = .default,
        operatorName: String = "operator", resumerURL: String? = nil, connections: Int = 4, bodyLimit: Int = 64 * 1024,
        liveInterval: Duration = .milliseconds(500),
        liveLifetime: Duration = .seconds(60)
    ) {
        self.redis = redis
        self.keys = keys
        self.store = store
        self.listen = listen
        self.operatorName = operatorName
        self.resumerURL = resumerURL
        self.connections = connections
        self.bodyLimit = bodyLimit
        self.liveInterval = liveInterval
        self.liveLifetime = liveLifetime
    }
}

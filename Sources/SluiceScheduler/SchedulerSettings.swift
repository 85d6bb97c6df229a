public import SluiceRedis

/// How a scheduler process fires what is due.
public struct SchedulerSettings: Sendable {
    public var redis: RedisConfiguration
    /// The longest the delayed-job loop sleeps when nothing is due sooner.
    public var maximumIdle: Duration
    /// How often expired leases are looked for.
    public var reapInterval: Duration
    /// How long a silent worker stays listed as live.
    public var workerSilence: Duration

    public init(
        redis: RedisConfiguration,
        maximumIdle: Duration = .seconds(1),
        reapInterval: Duration = .milliseconds(500),
        workerSilence: Duration = .seconds(60)
    ) {
        self.redis = redis
        self.maximumIdle = maximumIdle
        self.reapInterval = reapInterval
        self.workerSilence = workerSilence
    }
}

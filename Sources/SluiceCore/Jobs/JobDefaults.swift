/// Defaults every job shares, defined once for Swift and the Lua scripts.
public enum JobDefaults {
    /// How many times a job may be taken by a worker before it fails as lost.
    public static let maxDeliveries = 3
    /// The queue a job runs on when nobody names one.
    public static let queue = "default"
}

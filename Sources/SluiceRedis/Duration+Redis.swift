extension Duration {
    /// Whole milliseconds, rounded down.
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// The duration as a blocking-command timeout in seconds (`"0.25"`), at least one millisecond,
    /// since Redis reads a timeout of 0 as "forever".
    public var redisTimeoutArgument: RedisArgument {
        .string(String(Double(Swift.max(1, wholeMilliseconds)) / 1000))
    }
}

extension RedisConnection {
    /// Redis's clock (`TIME`) in milliseconds since the epoch: every deadline, lease and
    /// timestamp in Sluice is read from it, never from a host's clock.
    public func serverMilliseconds() throws(RedisError) -> Int64 {
        let parts = try send(["TIME"]).array?.compactMap(\.integer) ?? []
        guard parts.count == 2 else { throw RedisError.unexpectedReply("TIME") }
        return parts[0] * 1000 + parts[1] / 1000
    }
}

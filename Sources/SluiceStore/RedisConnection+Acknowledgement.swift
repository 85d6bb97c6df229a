public import SluiceRedis

extension RedisConnection {
    /// ``RedisConnection/awaitReplicas(counter:)`` with the prefix's counter, `P:acks`: what every
    /// process calls after a write it is about to tell someone about (an approval recorded, a run
    /// accepted, a gate decided) when `--ack` is set; nothing without it.
    public func awaitReplicas(in keys: KeySpace, followingWrite: Bool = true) throws(RedisError) {
        try awaitReplicas(counter: keys.acknowledgements, followingWrite: followingWrite)
    }
}

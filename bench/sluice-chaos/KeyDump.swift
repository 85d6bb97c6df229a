import SluiceRedis

/// Every key of a Redis database with its serialized value (`DUMP`), to show that a storm of
/// requests changed nothing.
struct KeyDump: Equatable {
    let values: [String: RedisReply]

    init(_ connection: RedisConnection) throws {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.send("SCAN", .string(cursor), "COUNT", "1000")
            let parts = reply.array ?? []
            cursor = parts.first?.string ?? "0"
            keys += (parts.count > 1 ? parts[1].array ?? [] : []).compactMap(\.string)
        } while cursor != "0"
        var values: [String: RedisReply] = [:]
        for start in stride(from: 0, to: keys.count, by: 500) {
            let chunk = Array(keys[start..<min(keys.count, start + 500)])
            let replies = try connection.pipeline(chunk.map { ["DUMP", .string($0)] })
            for (key, reply) in zip(chunk, replies) { values[key] = reply }
        }
        self.values = values
    }

    /// The keys that differ between two dumps: added, removed or changed.
    func differences(from other: KeyDump) -> [String] {
        Set(values.keys).union(other.values.keys).filter { values[$0] != other.values[$0] }.sorted()
    }
}

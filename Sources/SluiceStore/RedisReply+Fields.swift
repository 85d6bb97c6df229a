import SluiceRedis

extension RedisReply {
    /// An HGETALL-style flat array of field/value pairs as a dictionary; `nil` for null or empty.
    var fieldDictionary: [String: String]? {
        guard let elements = array, !elements.isEmpty else { return nil }
        var fields: [String: String] = [:]
        fields.reserveCapacity(elements.count / 2)
        var index = 0
        while index + 1 < elements.count {
            if let name = elements[index].string, let value = elements[index + 1].string {
                fields[name] = value
            }
            index += 2
        }
        return fields
    }
}

import SluiceCore
public import SluiceRedis

/// Approver groups, managed by operators (`sluice group set ops alice,bob`); a gate with
/// `user_groups_required` counts only their members.
public struct GroupStore: Sendable {
    public let keys: KeySpace

    public init(keys: KeySpace = KeySpace()) {
        self.keys = keys
    }

    /// Replaces a group's members (an empty list removes the group), in one transaction.
    public func set(_ name: String, members: [String], on connection: RedisConnection) throws(RedisError) {
        var commands: [[RedisArgument]] = [["MULTI"], ["DEL", .string(keys.group(name))]]
        if members.isEmpty {
            commands.append(["SREM", .string(keys.groups), .string(name)])
        } else {
            commands.append(["SADD", .string(keys.group(name))] + members.map { RedisArgument.string($0) })
            commands.append(["SADD", .string(keys.groups), .string(name)])
        }
        commands.append(["EXEC"])
        let replies = try connection.pipeline(commands)
        if let failure = replies.first(where: { if case .error = $0 { return true } else { return false } }) {
            throw RedisError.server("\(failure)")
        }
    }

    /// Every group with its members, sorted.
    public func list(on connection: RedisConnection) throws(RedisError) -> [(name: String, members: [String])] {
        let names = (try connection.send(["SMEMBERS", .string(keys.groups)]).array ?? []).compactMap(\.string).sorted()
        var groups: [(String, [String])] = []
        for name in names {
            let members = (try connection.send(["SMEMBERS", .string(keys.group(name))]).array ?? []).compactMap(\.string).sorted()
            groups.append((name, members))
        }
        return groups
    }

    /// Whether `name` may name a group.
    public static func isValidName(_ name: String) -> Bool {
        QueueName.isValid(name)
    }
}

import Foundation
import SluiceRedis
import SluiceTesting
import Testing

@Suite("Redis Cluster: the prefix's slot owner, MOVED, ASK and failover", .serialized)
struct ClusterTests {
    @Test("the slot of a key (and of a hash tag) is what Redis computes")
    func slotsMatchRedis() async throws {
        let cluster = try await offThread { try ClusterTestbed(masters: 3) }
        defer { cluster.stop() }
        let node = try RedisConnection(configuration: cluster.nodes[0].configuration)
        var generator = SystemRandomNumberGenerator()
        let keys =
            ["foo", "hello", "{sluice}:job:1", "{team-a}", "a{b}c", "x{}y", "{}{z}", "{", "}", "é{ü}"]
            + (0..<200).map { _ in
                String((0..<Int.random(in: 1...20, using: &generator)).map { _ in "ab{}cdé0:".randomElement(using: &generator) ?? "a" })
            }
        for key in keys {
            #expect(Int(try node.send("CLUSTER", "KEYSLOT", .string(key)).integer ?? -1) == ClusterSlot.of(key), "\(key)")
        }
    }

    @Test("a cluster connection goes to the master of its prefix's slot; prefixes spread over the masters")
    func routesToOwner() async throws {
        let cluster = try await offThread { try ClusterTestbed(masters: 3) }
        defer { cluster.stop() }
        var owners = Set<Int>()
        for team in (0..<12).map({ "{team-\($0)}" }) {
            let connection = try RedisConnection(configuration: cluster.configuration(slotKey: team))
            let owner = try #require(try cluster.owner(of: team))
            #expect(connection.masterAddress?.port == owner)
            try connection.send("SET", .string(team + ":k"), "v")
            owners.insert(owner)
        }
        #expect(owners.count == 3, "12 prefixes all on \(owners.count) master(s)")
    }

    @Test("a slot migrated to another master: ASK while it moves, MOVED after; the connection follows both")
    func followsMigration() async throws {
        let cluster = try await offThread { try ClusterTestbed(masters: 3) }
        defer { cluster.stop() }
        let prefix = "{migrating}"
        let connection = try RedisConnection(configuration: cluster.configuration(slotKey: prefix))
        try connection.send("SET", .string(prefix + ":a"), "1")
        try connection.send("SET", .string(prefix + ":b"), "2")
        let slot = ClusterSlot.of(prefix)
        let sourcePort = try #require(try cluster.owner(of: prefix))
        let source = try #require(cluster.nodes.first { $0.port == sourcePort })
        let target = try #require(cluster.nodes.first { $0.port != sourcePort })
        let sourceNode = try RedisConnection(configuration: source.configuration)
        let targetNode = try RedisConnection(configuration: target.configuration)
        let sourceID = try #require(try sourceNode.send("CLUSTER", "MYID").string)
        let targetID = try #require(try targetNode.send("CLUSTER", "MYID").string)
        try targetNode.send("CLUSTER", "SETSLOT", .int(slot), "IMPORTING", .string(sourceID))
        try sourceNode.send("CLUSTER", "SETSLOT", .int(slot), "MIGRATING", .string(targetID))
        try sourceNode.send(
            "MIGRATE", "127.0.0.1", .int(target.port), "", "0", "5000", "AUTH", .string(cluster.password), "KEYS", .string(prefix + ":a"))
        // :a lives on the target now, the slot still on the source: the source answers ASK.
        #expect(try connection.send("GET", .string(prefix + ":a")).string == "1")
        #expect(connection.masterAddress?.port == source.port)
        try sourceNode.send(
            "MIGRATE", "127.0.0.1", .int(target.port), "", "0", "5000", "AUTH", .string(cluster.password), "KEYS", .string(prefix + ":b"))
        for node in [sourceNode, targetNode] { try node.send("CLUSTER", "SETSLOT", .int(slot), "NODE", .string(targetID)) }
        // The slot moved: the source answers MOVED, and the connection stays on the target.
        #expect(try connection.send("GET", .string(prefix + ":b")).string == "2")
        #expect(connection.masterAddress?.port == target.port)
        try connection.send("SET", .string(prefix + ":c"), "3")
        #expect(try targetNode.send("GET", .string(prefix + ":c")).string == "3")
    }

    @Test("a master killed: its replica takes over and the connection carries on there by itself")
    func followsFailover() async throws {
        let cluster = try await offThread { try ClusterTestbed(masters: 3, replicasPerMaster: 1) }
        defer { cluster.stop() }
        let prefix = "{failover}"
        let connection = try RedisConnection(configuration: cluster.configuration(slotKey: prefix))
        try connection.send("SET", .string(prefix + ":k"), "1")
        #expect(try connection.send("WAIT", "1", "5000").integer == 1, "the write reached the replica")
        let ownerPort = try #require(connection.masterAddress?.port)
        try #require(cluster.nodes.first { $0.port == ownerPort }).kill()
        let deadline = ContinuousClock.now + .seconds(30)
        var value: String?
        while ContinuousClock.now < deadline, value == nil {
            value = try? connection.send("GET", .string(prefix + ":k")).string
            if value == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(value == "1")
        #expect(connection.masterAddress?.port != ownerPort)
    }
}

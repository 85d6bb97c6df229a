import Foundation
public import SluiceRedis

/// A Redis Cluster on loopback for tests and benchmarks: `masters` masters (each with
/// `replicasPerMaster` replicas), made with `redis-cli --cluster create`, every slot covered.
/// ``url`` is the `redis+cluster://` URL every Sluice executable takes.
public final class ClusterTestbed: Sendable {
    /// Every node, masters first (in `redis-cli --cluster create` order).
    public let nodes: [RedisServer]

    /// The password every node requires (and replicates with).
    public let password: String

    /// `redis+cluster://:PASSWORD@127.0.0.1:P1,127.0.0.1:P2,...`.
    public var url: String { "redis+cluster://:\(password)@" + nodes.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") }

    /// A configuration for the slot of `slotKey` (e.g. a prefix's hash tag `{team-a}`).
    public func configuration(slotKey: String) -> RedisConfiguration {
        var configuration = RedisConfiguration(
            endpoint: .cluster(seeds: nodes.map { RedisConfiguration.HostAndPort(host: "127.0.0.1", port: $0.port) }), password: password)
        configuration.slotKey = slotKey
        return configuration
    }

    /// Starts the nodes and creates the cluster (at least 3 masters, as `redis-cli` requires).
    public init(masters: Int = 3, replicasPerMaster: Int = 0, nodeTimeout: Duration = .seconds(1)) throws {
        let milliseconds = Int(nodeTimeout.components.seconds * 1000) + Int(nodeTimeout.components.attoseconds / 1_000_000_000_000_000)
        let password = RedisServer.newPassword()
        self.password = password
        nodes = try (0..<(masters * (1 + replicasPerMaster))).map { _ in
            // The bus port would be port + 10000, past 65535 for a high free port: give it its own.
            try RedisServer(
                arguments: [
                    "--cluster-enabled", "yes", "--cluster-node-timeout", String(milliseconds), "--cluster-port", String(try RedisServer.freePort()),
                    // A replica takes over however long ago it last heard from its master (a fresh test cluster).
                    "--cluster-replica-validity-factor", "0", "--masterauth", password,
                ], password: password)
        }
        let create = Process()
        create.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        create.arguments =
            ["-a", password, "--no-auth-warning", "--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" }
            + ["--cluster-replicas", String(replicasPerMaster), "--cluster-yes"]
        create.standardOutput = FileHandle.nullDevice
        create.standardError = FileHandle.nullDevice
        try create.run()
        create.waitUntilExit()
        guard create.terminationStatus == 0 else {
            stop()
            throw RedisServerError.notReady(port: nodes.first?.port ?? 0, lastError: "redis-cli --cluster create failed")
        }
        try waitUntilHealthy()
    }

    deinit {
        stop()
    }

    /// Stops every node.
    public func stop() {
        for node in nodes { node.stop() }
    }

    /// The node that serves `slotKey`'s slot now, asked of the first node that answers.
    public func owner(of slotKey: String) throws -> Int? {
        for node in nodes {
            guard let connection = try? RedisConnection(configuration: node.configuration),
                let slots = try? connection.send(["CLUSTER", "SLOTS"])
            else { continue }
            return RedisConnection.master(
                of: ClusterSlot.of(slotKey), in: slots, seed: RedisConfiguration.HostAndPort(host: "127.0.0.1", port: node.port))?.port
        }
        return nil
    }

    /// Waits until every live node says `cluster_state:ok` and every replica is in sync with its master.
    public func waitUntilHealthy(timeout: Duration = .seconds(30)) throws {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        while Date() < deadline {
            let states = nodes.compactMap { node in
                (try? RedisConnection(configuration: node.configuration).send(["CLUSTER", "INFO"]).string)
            }
            let replication = nodes.compactMap { node in
                (try? RedisConnection(configuration: node.configuration).send(["INFO", "replication"]).string)
            }
            let replicasInSync = replication.allSatisfy { !$0.contains("role:slave") || $0.contains("master_link_status:up") }
            if !states.isEmpty, states.allSatisfy({ $0.contains("cluster_state:ok") }), replicasInSync { return }
            usleep(50_000)
        }
        throw RedisServerError.notReady(port: nodes.first?.port ?? 0, lastError: "the cluster never reached cluster_state:ok")
    }
}

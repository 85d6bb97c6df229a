import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting
import Testing

/// Every executable on a `redis+cluster://` URL: a prefix lives on one slot, so each prefix's
/// processes talk to that slot's master, and several prefixes spread over the cluster.
@Suite("Processes on Redis Cluster", .serialized, .tags(.processes))
struct ClusterProcessTests {
    @Test("two prefixes on two masters: each one's worker and scheduler run its jobs, delayed jobs and a flow")
    func prefixesOnMasters() async throws {
        let cluster = try await offThread { try ClusterTestbed(masters: 3) }
        defer { cluster.stop() }
        // Two prefixes whose slots belong to different masters.
        var chosen: [(KeySpace, Int)] = []
        for number in 0..<50 where chosen.count < 2 {
            let keys = KeySpace(prefix: "team-\(number)-\(UUID().uuidString.prefix(4))")
            let owner = try #require(try cluster.owner(of: keys.prefix))
            if !chosen.contains(where: { $0.1 == owner }) { chosen.append((keys, owner)) }
        }
        #expect(chosen.count == 2)
        var processes: [ChildProcess] = []
        for (keys, _) in chosen {
            let env = ["SLUICE_REDIS_URL": cluster.url, "SLUICE_PREFIX": keys.prefix, "SLUICE_LOG_LEVEL": "warning"]
            processes.append(try ChildProcess("worker", ["--concurrency", "2"], environment: env))
            processes.append(try ChildProcess("scheduler", [], environment: env))
        }
        for (keys, owner) in chosen {
            let connection = try RedisConnection(configuration: cluster.configuration(slotKey: keys.prefix))
            #expect(connection.masterAddress?.port == owner)
            let store = JobStore(keys: keys)
            var ids: [JobID] = []
            for n in 0..<20 {
                let id = JobID.generate()
                _ = try store.enqueue(EnqueueRequest(id: id, kind: .identity, arguments: ["n": .number(Double(n))]), on: connection)
                ids.append(id)
            }
            let delayed = JobID.generate()
            let now = try connection.serverMilliseconds()
            _ = try store.enqueue(EnqueueRequest(id: delayed, kind: .identity, runAt: now + 500), on: connection)
            let engine = FlowEngine(flows: FlowStore(keys: keys))
            let path = try #require(ScriptPath("f/test/cluster"))
            _ = try engine.push(
                path: path, text: "value:\n  modules:\n    - {id: a, value: {type: identity}}\n    - {id: b, value: {type: identity}}\n",
                on: connection)
            let flow = JobID.generate()
            try engine.start(FlowEngine.Start(id: flow, path: path.rawValue, input: ["x": 1]), on: connection)
            let client = RedisClient(configuration: cluster.configuration(slotKey: keys.prefix))
            for id in ids + [delayed, flow] {
                let done = try await client.run { try store.wait(for: id, timeout: .seconds(30), on: $0) }
                #expect(done?.state == .success, "\(id) on \(keys.prefix): \(done?.state.rawValue ?? "missing")")
            }
            // The prefix's keys are all on its slot's master.
            let master = try RedisConnection(configuration: try #require(cluster.nodes.first { $0.port == owner }).configuration)
            #expect(try master.send("EXISTS", .string(keys.job(flow))).integer == 1)
        }
        _ = processes
    }
}

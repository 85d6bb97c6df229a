import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// A busy worker reports its slots' jobs in shared `complete_job` calls (``CompletionBatcher``):
/// killing it mid-stream must lose nothing and finish nothing twice.
@Suite("batched reports", .serialized, .tags(.processes))
struct BatchedReportTests {
    @Test("a worker SIGKILLed while its slots report in batches: every job finishes once; the jobs it held run again elsewhere")
    func workerKilledHoldingABatch() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let keys = KeySpace.unique()
        let env = server.sluiceEnvironment(prefix: keys.prefix, logLevel: "info")
        let connection = try server.connect()
        let store = JobStore(keys: keys)
        let count = 20_000
        var ids: [JobID] = []
        for start in stride(from: 0, to: count, by: 1000) {
            let requests = (start..<min(count, start + 1000)).map { index in
                EnqueueRequest(id: JobID.generate(), kind: .identity, queue: "default", arguments: ["n": .number(Double(index))])
            }
            ids += requests.map(\.id)
            for result in try store.enqueue(requests, on: connection) { _ = try result.get() }
        }
        let doomed = try ChildProcess("worker", ["--concurrency", "8", "--lease", "1"], environment: env)
        let finished = { () throws -> Int64 in
            try connection.send(["HMGET", .string(keys.stats("default")), "success", "failure"]).array?.compactMap(\.integer).reduce(0, +) ?? 0
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while try finished() < 1_000, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        doomed.signal(SIGKILL)
        _ = await doomed.waitForExit(timeout: .seconds(5))
        let finishedAtKill = try finished()
        #expect(finishedAtKill < Int64(count), "the worker drained the queue before it was killed")
        // Under a backlog every slot holds a job (reported or taken in the batch in flight).
        let held = try connection.send(["ZRANGE", .string(keys.leases), "0", "-1"]).array?.compactMap(\.string) ?? []
        #expect(!held.isEmpty, "the killed worker held no job")
        // The scheduler starts only now, so none of those leases was reclaimed before they were read.
        let scheduler = try ChildProcess("scheduler", ["--reap-interval", "0.2"], environment: env)

        let rescuer = try ChildProcess("worker", ["--concurrency", "8"], environment: env)
        while try finished() < Int64(count), clock.now < deadline + .seconds(60) { try await Task.sleep(for: .milliseconds(50)) }
        let counts = try connection.send(["HMGET", .string(keys.stats("default")), "success", "failure"]).array?.map(\.integer) ?? []
        #expect(counts.first == .some(Int64(count)), "each job counted once as a success: \(counts)")
        var redelivered: [String] = []
        for chunk in stride(from: 0, to: ids.count, by: 5000) {
            let replies = try connection.pipeline(
                ids[chunk..<min(ids.count, chunk + 5000)].map { ["HMGET", .string(keys.job($0)), "id", "state", "deliveries", "lost_by"] })
            for reply in replies {
                let fields = reply.array?.map(\.string) ?? []
                #expect(fields.count == 4 && fields[1] == "success", "a job did not succeed: \(fields)")
                guard fields.count == 4, let id = fields[0], fields[2] != "1" else { continue }
                redelivered.append(id)
                #expect(
                    fields[2] == "2" && fields[3]?.isEmpty == false, "\(id): delivered \(fields[2] ?? "?") times, lost by \(fields[3] ?? "nobody")")
            }
        }
        // Exactly the jobs held at the kill ran again, each after its lease ran out.
        #expect(Set(redelivered) == Set(held))
        _ = (scheduler, rescuer)
    }
}

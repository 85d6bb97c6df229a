import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

@testable import SluiceWorker

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

    @Test("a report the script cannot handle is refused alone: the rest of its batch applies, and its job stays as it was")
    func refusedReportFailsAlone() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let keys = KeySpace.unique()
        let connection = try server.connect()
        let store = JobStore(keys: keys)
        var held: [JobRecord] = []
        for _ in 0..<20 {
            try store.enqueue(EnqueueRequest(id: JobID.generate(), kind: .identity), on: connection)
            held.append(try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 60_000, on: connection)))
        }
        // Its record is not a hash any more: reading it raises inside complete_job.
        let refused = held[7]
        try connection.send(["DEL", .string(keys.job(refused.id))])
        try connection.send(["SET", .string(keys.job(refused.id)), "not a job"])
        // complete_job loaded first (else its first call is counted twice: NOSCRIPT, then EVAL).
        try store.enqueue(EnqueueRequest(id: JobID.generate(), kind: .identity, queue: "warm-up"), on: connection)
        let warmUp = try #require(try store.fetch(worker: "w", queues: ["warm-up"], leaseMilliseconds: 60_000, on: connection))
        _ = try store.complete(warmUp, worker: "w", outcome: .success(nil), logs: "", next: nil, on: connection)
        _ = try connection.send("CONFIG", "RESETSTAT")
        let batcher = CompletionBatcher(
            configuration: server.configuration, lanes: 1, store: store, worker: "w",
            next: JobStore.NextJob(queues: ["default"], leaseMilliseconds: 60_000))
        // Sent at once: they gather while the lane connects, so the refused one shares a batch.
        let answers = await withTaskGroup(of: (JobID, CompletionBatcher.Answer?).self) { group in
            for job in held {
                let outcome: JobOutcome = job.id == refused.id ? .failure("boom") : .success(["ok": true])
                group.addTask {
                    (job.id, try? await batcher.complete(CompletionReport(job: job, outcome: outcome, logs: ""), takingNext: false))
                }
            }
            var answers: [JobID: CompletionBatcher.Answer?] = [:]
            for await (id, answer) in group { answers[id] = answer }
            return answers
        }
        #expect(answers[refused.id]??.refusal != nil, "the report should be refused")
        #expect(answers[refused.id]??.applied == false)
        for job in held where job.id != refused.id {
            #expect(answers[job.id]??.applied == true && answers[job.id]??.refusal == nil)
            #expect(try store.job(job.id, on: connection)?.state == .success)
        }
        #expect(try connection.send(["GET", .string(keys.job(refused.id))]).string == "not a job")
        // They shared calls: fewer complete_job calls than reports.
        let stats = try connection.send("INFO", "commandstats").string ?? ""
        let calls =
            stats.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_evalsha:") }
            .flatMap { $0.split(separator: ",").first?.split(separator: "=").last }.flatMap { Int($0) } ?? 0
        #expect(calls > 0 && calls < held.count, "complete_job calls: \(calls)")
    }
}

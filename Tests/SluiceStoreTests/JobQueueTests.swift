import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

@Suite("Job queue scripts against a real redis-server", .serialized)
struct JobQueueTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("enqueue, fetch, complete: the job ends with its result, timestamps and index entry")
    func lifecycle() throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let id = JobID.generate()
        let state = try store.enqueue(EnqueueRequest(id: id, kind: .identity, arguments: ["x": 1], createdBy: "alice"), on: connection)
        #expect(state == .queued)
        let taken = try #require(try store.fetch(worker: "w1", queues: ["default"], leaseMilliseconds: 30_000, on: connection))
        #expect(taken.id == id)
        #expect(taken.state == .running)
        #expect(taken.deliveries == 1)
        #expect(taken.worker == "w1")
        #expect(taken.arguments == ["x": 1])
        #expect(try store.fetch(worker: "w1", queues: ["default"], leaseMilliseconds: 30_000, on: connection) == nil)
        let (applied, next) = try store.complete(
            taken, worker: "w1", outcome: .success(["ok": true]), logs: "hello\n", next: nil, on: connection)
        #expect(applied)
        #expect(next == nil)
        let done = try #require(try store.job(id, on: connection))
        #expect(done.state == .success)
        #expect(done.result == ["ok": true])
        #expect(done.createdBy == "alice")
        #expect(done.startedAt != nil && done.finishedAt != nil)
        #expect(try store.logs(id, on: connection) == "hello\n")
        let indexed = try connection.send("ZRANGE", .string(store.keys.finished("default")), "0", "-1").array?.compactMap(\.string)
        #expect(indexed == [id.rawValue])
        let ttl = try connection.send("TTL", .string(store.keys.job(id))).integer ?? -1
        #expect(ttl > 0)
        // Logs written with the report expire with the job (an identity job without logs skips that call).
        #expect((try connection.send("TTL", .string(store.keys.jobLogs(id))).integer ?? -1) > 0)
        #expect(try connection.send("ZCARD", .string(store.keys.leases)).integer == 0)
    }

    @Test("a batch of reports: each fenced on its own, in order; as many next jobs taken as asked, each under its own lease")
    func batchedReports() throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let ids = (0..<6).map { _ in JobID.generate() }
        for id in ids { try store.enqueue(EnqueueRequest(id: id, kind: .identity), on: connection) }
        var held: [JobRecord] = []
        for _ in 0..<3 { held.append(try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 10_000, on: connection))) }
        // The second report is stale: its job was canceled meanwhile.
        _ = try store.cancel(held[1].id, reason: "operator", on: connection)
        let reports = [
            CompletionReport(job: held[0], outcome: .success(["n": 0]), logs: "zero\n"),
            CompletionReport(job: held[1], outcome: .success(["n": 1]), logs: ""),
            CompletionReport(job: held[2], outcome: .failure("boom"), logs: ""),
        ]
        let next = JobStore.NextJob(queues: ["default"], leaseMilliseconds: 10_000)
        let (applied, taken) = try store.complete(reports, worker: "w", next: next, taking: 2, on: connection)
        #expect(applied.map { try? $0.get() } == [true, false, true])
        #expect(taken.map(\.id) == Array(ids[3...4]))
        #expect(taken.allSatisfy { $0.state == .running && $0.worker == "w" && $0.deliveries == 1 && $0.startedAt != nil })
        #expect(try store.job(held[0].id, on: connection)?.result == ["n": 0])
        #expect(try store.logs(held[0].id, on: connection) == "zero\n")
        #expect(try store.job(held[1].id, on: connection)?.state == .canceled)
        #expect(try store.job(held[2].id, on: connection)?.error == "boom")
        // The taken jobs are what Redis holds, and each has its lease.
        for job in taken {
            #expect(try store.job(job.id, on: connection) == job)
            #expect(try connection.send("ZSCORE", .string(store.keys.leases), .string(job.id.rawValue)).string != nil)
        }
        // Asking for more than is queued takes what there is.
        let (_, last) = try store.complete(
            taken.map { CompletionReport(job: $0, outcome: .success(nil), logs: "") }, worker: "w", next: next, taking: 2, on: connection)
        #expect(last.map(\.id) == [ids[5]])
    }

    @Test(
        "a batch of reports leaves the indexes, counters and leases the same reports made one by one leave; its takes skip stale ids and follow the queues' order"
    )
    func batchedWritesMatchSingleOnes() throws {
        let connection = try server.connect()
        // The same runs in two key spaces: reported in one batch in the first, one by one in the
        // second. Listed as they are fetched (queue "high" first, each queue in order), so the
        // i-th job held is the i-th run in both.
        struct Run {
            let queue: String
            let creator: String
            let fails: Bool
        }
        let runs = [
            Run(queue: "high", creator: "bob", fails: true), Run(queue: "high", creator: "alice", fails: false),
            Run(queue: "default", creator: "alice", fails: false), Run(queue: "default", creator: "alice", fails: true),
            Run(queue: "default", creator: "bob", fails: false),
        ]
        func reports(_ store: JobStore) throws -> [CompletionReport] {
            for run in runs {
                try store.enqueue(EnqueueRequest(id: JobID.generate(), kind: .identity, queue: run.queue, createdBy: run.creator), on: connection)
            }
            return try runs.enumerated().map { index, run in
                let job = try #require(try store.fetch(worker: "w", queues: ["high", "default"], leaseMilliseconds: 60_000, on: connection))
                #expect(job.queue == run.queue && job.createdBy == run.creator)
                return CompletionReport(job: job, outcome: run.fails ? .failure("boom \(index)") : .success(["n": .number(Double(index))]), logs: "")
            }
        }
        let batched = JobStore(keys: KeySpace.unique())
        let single = JobStore(keys: KeySpace.unique())
        let (applied, none) = try batched.complete(try reports(batched), worker: "w", next: nil, taking: 0, on: connection)
        #expect(applied.map { try? $0.get() } == Array(repeating: true, count: runs.count))
        #expect(none.isEmpty)
        for one in try reports(single) {
            #expect(try single.complete([one], worker: "w", next: nil, taking: 0, on: connection).applied.first.map { try? $0.get() } == true)
        }
        func written(_ store: JobStore) throws -> [String] {
            let keys = store.keys
            var seen: [String] = []
            for queue in ["default", "high"] {
                let stats = try connection.send("HGETALL", .string(keys.stats(queue))).array?.compactMap(\.string) ?? []
                seen.append("stats \(queue): \(stride(from: 0, to: stats.count, by: 2).map { "\(stats[$0])=\(stats[$0 + 1])" }.sorted())")
                seen.append("finished \(queue): \(try connection.send("ZCARD", .string(keys.finished(queue))).integer ?? -1)")
                let buckets = try connection.send("KEYS", .string(keys.namespace + "*throughput*" + queue + ":*")).array?.compactMap(\.string) ?? []
                var counted = 0
                for bucket in buckets {
                    let fields = try connection.send("HGETALL", .string(bucket)).array?.compactMap(\.string) ?? []
                    counted += stride(from: 1, to: fields.count, by: 2).compactMap { Int(fields[$0]) }.reduce(0, +)
                    #expect((try connection.send("TTL", .string(bucket)).integer ?? -1) > 0, "a throughput bucket without a lifetime")
                }
                seen.append("throughput \(queue): \(counted)")
            }
            seen.append("runs: \(try connection.send("ZCARD", .string(keys.runsFinished)).integer ?? -1)")
            seen.append("failed runs: \(try connection.send("ZCARD", .string(keys.runsFinished(state: .failure))).integer ?? -1)")
            for creator in ["alice", "bob"] {
                seen.append("\(creator)'s runs: \(try connection.send("ZCARD", .string(keys.runsFinished(createdBy: creator))).integer ?? -1)")
                #expect((try connection.send("TTL", .string(keys.runsFinished(createdBy: creator))).integer ?? -1) > 0)
            }
            seen.append("leases: \(try connection.send("ZCARD", .string(keys.leases)).integer ?? -1)")
            return seen
        }
        let fromBatch = try written(batched)
        #expect(fromBatch == (try written(single)))
        #expect(fromBatch.contains("stats high: [\"failure=1\", \"success=1\"]"))
        #expect(fromBatch.contains("stats default: [\"failure=1\", \"success=2\"]"))
        #expect(fromBatch.contains("runs: 5") && fromBatch.contains("failed runs: 2") && fromBatch.contains("leases: 0"))

        // Takes: a canceled id skipped, the queues in the order given, each job under its lease.
        let takes = JobStore(keys: KeySpace.unique())
        let high = (0..<2).map { _ in JobID.generate() }
        let low = (0..<3).map { _ in JobID.generate() }
        for id in low { try takes.enqueue(EnqueueRequest(id: id, kind: .identity, queue: "low"), on: connection) }
        for id in high { try takes.enqueue(EnqueueRequest(id: id, kind: .identity, queue: "high"), on: connection) }
        _ = try takes.cancel(high[1], reason: "operator", on: connection)
        let first = try #require(try takes.fetch(worker: "w", queues: ["high"], leaseMilliseconds: 60_000, on: connection))
        #expect(first.id == high[0])
        let next = JobStore.NextJob(queues: ["high", "low"], leaseMilliseconds: 60_000)
        let (_, taken) = try takes.complete(
            [CompletionReport(job: first, outcome: .success(nil), logs: "")], worker: "w", next: next, taking: 3, on: connection)
        #expect(taken.map(\.id) == low)
        for job in taken {
            #expect(try takes.job(job.id, on: connection) == job)
            #expect(try connection.send("ZSCORE", .string(takes.keys.leases), .string(job.id.rawValue)).string != nil)
        }
        #expect(try connection.send("ZCARD", .string(takes.keys.leases)).integer == 3)
        #expect(try connection.send("LLEN", .string(takes.keys.queueSignal("low"))).integer == 0)
        #expect(try connection.send("LLEN", .string(takes.keys.queue("low"))).integer == 0)
    }

    @Test("a retry schedule that is not a JSON array of numbers means no retry: the failure finishes the job")
    func malformedRetrySchedule() throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        for schedule in ["not json", "{\"a\": 1}", "[\"soon\"]"] {
            try store.enqueue(EnqueueRequest(id: JobID.generate(), kind: .identity), on: connection)
            let taken = try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 10_000, on: connection))
            try connection.send(["HSET", .string(store.keys.job(taken.id)), "retry_delays", .string(schedule)])
            #expect(try store.complete(taken, worker: "w", outcome: .failure("boom"), logs: "", next: nil, on: connection).applied)
            let done = try #require(try store.job(taken.id, on: connection))
            #expect(done.state == .failure && done.error == "boom", "retry_delays \(schedule)")
        }
    }

    @Test("jobs are taken in FIFO order, and completing one takes the next in the same call")
    func completeAndFetchNext() throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let ids = (0..<3).map { _ in JobID.generate() }
        for id in ids { try store.enqueue(EnqueueRequest(id: id, kind: .identity), on: connection) }
        var current = try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 10_000, on: connection))
        var seen = [current.id]
        let next = JobStore.NextJob(queues: ["default"], leaseMilliseconds: 10_000)
        while let following = try store.complete(current, worker: "w", outcome: .success(nil), logs: "", next: next, on: connection).next {
            seen.append(following.id)
            current = following
        }
        #expect(seen == ids)
        #expect(try connection.send("LLEN", .string(store.keys.queueSignal("default"))).integer == 0)
    }

    @Test("queues are tried in the order given")
    func queuePriority() throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let low = JobID.generate()
        let high = JobID.generate()
        try store.enqueue(EnqueueRequest(id: low, kind: .identity, queue: "low"), on: connection)
        try store.enqueue(EnqueueRequest(id: high, kind: .identity, queue: "high"), on: connection)
        let first = try store.fetch(worker: "w", queues: ["high", "low"], leaseMilliseconds: 1000, on: connection)
        #expect(first?.id == high)
    }

    @Test("a late or duplicate report is fenced off and changes nothing")
    func fencing() throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let id = JobID.generate()
        try store.enqueue(EnqueueRequest(id: id, kind: .identity), on: connection)
        let taken = try #require(try store.fetch(worker: "w1", queues: ["default"], leaseMilliseconds: 10_000, on: connection))
        var stale = taken
        stale.deliveries = 0
        #expect(try store.complete(stale, worker: "w1", outcome: .success(1), logs: "", next: nil, on: connection).applied == false)
        #expect(try store.complete(taken, worker: "intruder", outcome: .success(2), logs: "", next: nil, on: connection).applied == false)
        #expect(try store.job(id, on: connection)?.state == .running)
        #expect(try store.complete(taken, worker: "w1", outcome: .success(3), logs: "", next: nil, on: connection).applied)
        #expect(try store.complete(taken, worker: "w1", outcome: .failure("late"), logs: "", next: nil, on: connection).applied == false)
        let done = try #require(try store.job(id, on: connection))
        #expect(done.state == .success)
        #expect(done.result == 3)
        #expect(done.error == nil)
    }

    @Test("a blocked worker wakes when a job is pushed, without waiting for its timeout")
    func blockingFetchWakes() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let waiter = RedisClient(configuration: server.configuration)
        let pusher = try server.connect()
        async let woke = waiter.run { connection in
            try store.waitForWork(queues: ["other", "default"], timeout: .seconds(20), on: connection)
        }
        try await Task.sleep(for: .milliseconds(200))
        let id = JobID.generate()
        try store.enqueue(EnqueueRequest(id: id, kind: .identity), on: pusher)
        let index = try await woke
        #expect(index == 1)
        let taken = try store.fetch(worker: "w", queues: ["other", "default"], leaseMilliseconds: 1000, signaledQueue: index, on: pusher)
        #expect(taken?.id == id)
    }

    @Test("an expired lease hands the job back; after max_deliveries it fails with a clear error")
    func leaseExpiry() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let id = JobID.generate()
        try store.enqueue(EnqueueRequest(id: id, kind: .identity, maxDeliveries: 2), on: connection)
        let first = try #require(try store.fetch(worker: "dead1", queues: ["default"], leaseMilliseconds: 50, on: connection))
        #expect(first.deliveries == 1)
        // Reaping with a stall threshold far above any pause the test can see: under make test's load
        // the two reapings came more than the default 2 s apart, which counts as a Redis stall and
        // gives the lease its time back (stallGivesLeasesBack tests that on purpose).
        let noStall = Duration.seconds(3600)
        try await Task.sleep(for: .milliseconds(120))
        #expect(try store.reclaimExpiredLeases(stallThreshold: noStall, on: connection) == (1, 0, .zero))
        #expect(try store.job(id, on: connection)?.state == .queued)
        let second = try #require(try store.fetch(worker: "dead2", queues: ["default"], leaseMilliseconds: 50, on: connection))
        #expect(second.deliveries == 2)
        // The first worker's late report is fenced off.
        #expect(try store.complete(first, worker: "dead1", outcome: .success(1), logs: "", next: nil, on: connection).applied == false)
        try await Task.sleep(for: .milliseconds(120))
        #expect(try store.reclaimExpiredLeases(stallThreshold: noStall, on: connection) == (0, 1, .zero))
        let failed = try #require(try store.job(id, on: connection))
        #expect(failed.state == .failure)
        #expect(failed.error?.contains("delivered 2 times") == true)
    }

    @Test("a lease does not run down while nobody could reap (a Redis stall): the first reaping after the gap gives the time back")
    func stallGivesLeasesBack() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let id = JobID.generate()
        try store.enqueue(EnqueueRequest(id: id, kind: .identity), on: connection)
        let job = try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 300, on: connection))
        let watched = ContinuousClock.now
        #expect(try store.reclaimExpiredLeases(stallThreshold: .milliseconds(600), on: connection) == (0, 0, .zero))
        let before = try #require(try connection.send("ZSCORE", .string(store.keys.leases), .string(id.rawValue)).string.flatMap(Double.init))
        // As if Redis had stalled: nothing reaps for longer than the threshold, the lease runs out meanwhile.
        try await Task.sleep(for: .milliseconds(900))
        let stalled = try store.reclaimExpiredLeases(stallThreshold: .milliseconds(600), on: connection)
        // The gap between the two reapings, no more: a loaded machine may oversleep, so the bound
        // is the time that really passed between them, not a fixed one. Redis measures it on the
        // wall clock in whole milliseconds (two truncations: up to 1 ms more), this test on the
        // monotonic one (NTP may slew the wall clock by up to 0.5 ms a second): 2 ms of slack.
        let gap = ContinuousClock.now - watched
        #expect(stalled.handedBack == 0)
        #expect(
            stalled.givenBack >= .milliseconds(850) && stalled.givenBack <= gap + .milliseconds(2), "gave back \(stalled.givenBack) of a \(gap) gap")
        #expect(try store.job(id, on: connection)?.state == .running, "the worker could not renew during the stall: not a sign of death")
        let after = try #require(try connection.send("ZSCORE", .string(store.keys.leases), .string(id.rawValue)).string.flatMap(Double.init))
        #expect(after - before == Double(stalled.givenBack.wholeMilliseconds))
        // Watched again and still not renewed: the lease runs out as usual. (A threshold far above
        // this sleep: a loaded machine that oversleeps must not look like a second stall.)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try store.reclaimExpiredLeases(stallThreshold: .seconds(10), on: connection) == (1, 0, .zero))
        #expect(try store.job(id, on: connection)?.state == .queued)
        // The most a stall gives back is capped: a long outage of every scheduler delays recovery by at most that.
        let again = try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 100, on: connection))
        #expect(again.id == job.id)
        try await Task.sleep(for: .milliseconds(700))
        #expect(
            try store.reclaimExpiredLeases(stallThreshold: .milliseconds(600), stallLimit: .milliseconds(50), on: connection).givenBack
                == .milliseconds(50))
        try await Task.sleep(for: .milliseconds(100))
        #expect(try store.reclaimExpiredLeases(stallThreshold: .seconds(10), on: connection).handedBack == 1)
    }

    @Test("heartbeats keep a lease alive and report jobs the worker no longer holds")
    func heartbeat() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let kept = JobID.generate()
        let canceled = JobID.generate()
        try store.enqueue(EnqueueRequest(id: kept, kind: .identity), on: connection)
        try store.enqueue(EnqueueRequest(id: canceled, kind: .identity), on: connection)
        let a = try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 150, on: connection))
        let b = try #require(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 150, on: connection))
        #expect(try store.cancel(b.id, reason: "operator", on: connection) == .running)
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(80))
            let lost = try store.renewLeases(
                worker: "w", info: [:], held: [(a.id, a.deliveries), (b.id, b.deliveries)], leaseMilliseconds: 150, on: connection)
            #expect(lost.map(\.0) == [b.id])
            #expect(lost.map(\.1) == [b.deliveries])
        }
        #expect(try store.reclaimExpiredLeases(on: connection) == (0, 0, .zero))
        #expect(try store.job(a.id, on: connection)?.state == .running)
        #expect(try store.job(b.id, on: connection)?.state == .canceled)
        #expect(try connection.send("ZSCORE", .string(store.keys.workers), "w") != .null)
    }

    @Test("delayed jobs wait in the delayed set until due, on Redis's clock")
    func delayed() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let id = JobID.generate()
        let now = try connection.serverMilliseconds()
        let state = try store.enqueue(EnqueueRequest(id: id, kind: .identity, runAt: now + 300), on: connection)
        #expect(state == .scheduled)
        let early = try store.promoteDueJobs(on: connection)
        #expect(early.moved == 0)
        let wait = try #require(early.nextDue)
        #expect(wait > .zero && wait <= .milliseconds(300))
        #expect(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 1000, on: connection) == nil)
        try await Task.sleep(for: wait + .milliseconds(20))
        #expect(try store.promoteDueJobs(on: connection).moved == 1)
        #expect(try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 1000, on: connection)?.id == id)
    }

    @Test("two schedulers promoting at once never fire a job twice")
    func concurrentSchedulers() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let now = try connection.serverMilliseconds()
        let requests = (0..<2000).map { index in EnqueueRequest(id: JobID.generate(), kind: .identity, runAt: now + 1500 + Int64(index % 50)) }
        let results = try store.enqueue(requests, on: connection)
        #expect(results.allSatisfy { (try? $0.get()) == .scheduled }, "\(results.prefix(3))")
        try await Task.sleep(for: .milliseconds(1600))
        let schedulers = (0..<4).map { index in RedisClient(configuration: server.configuration, label: "scheduler-\(index)") }
        let moved = try await withThrowingTaskGroup(of: Int.self) { group in
            for scheduler in schedulers {
                group.addTask {
                    var total = 0
                    while true {
                        let batch = try await scheduler.run { try store.promoteDueJobs(limit: 37, on: $0).moved }
                        if batch == 0 { return total }
                        total += batch
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(moved == requests.count)
        let queued = try connection.send("LRANGE", .string(store.keys.queue("default")), "0", "-1").array?.compactMap(\.string) ?? []
        #expect(queued.count == requests.count)
        #expect(Set(queued).count == requests.count)
        #expect(try connection.send("LLEN", .string(store.keys.queueSignal("default"))).integer == Int64(requests.count))
    }

    @Test("cancel takes a queued job off its queue and wakes waiters; unknown ids answer nil")
    func cancelAndWait() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let id = JobID.generate()
        try store.enqueue(EnqueueRequest(id: id, kind: .identity), on: connection)
        let waiter = RedisClient(configuration: server.configuration)
        async let waited = waiter.run { try store.wait(for: id, timeout: .seconds(20), on: $0) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(try store.cancel(id, reason: "not needed", on: connection) == .queued)
        let seen = try await waited
        #expect(seen?.state == .canceled)
        #expect(seen?.error == "not needed")
        #expect(try connection.send("LLEN", .string(store.keys.queue("default"))).integer == 0)
        #expect(try connection.send("LLEN", .string(store.keys.queueSignal("default"))).integer == 0)
        #expect(try store.cancel(JobID.generate(), reason: "x", on: connection) == nil)
        #expect(try store.cancel(id, reason: "again", on: connection) == .canceled)
    }

    @Test("an id is never reused")
    func duplicateID() throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let id = JobID.generate()
        try store.enqueue(EnqueueRequest(id: id, kind: .identity, arguments: [1]), on: connection)
        #expect(throws: RedisError.self) { try store.enqueue(EnqueueRequest(id: id, kind: .identity, arguments: [2]), on: connection) }
        #expect(try store.job(id, on: connection)?.arguments == [1])
    }

}

extension JobQueueTests {
    @Test("priority: a job with priority is taken before the queue's waiting jobs; a due delayed job before jobs ready after it")
    func ordering() async throws {
        let store = JobStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let now = try connection.serverMilliseconds()
        let delayed = JobID.generate()
        try store.enqueue(EnqueueRequest(id: delayed, kind: .identity, runAt: now + 150), on: connection)
        try await Task.sleep(for: .milliseconds(200))
        let plain = (0..<3).map { _ in JobID.generate() }
        for id in plain { try store.enqueue(EnqueueRequest(id: id, kind: .identity), on: connection) }
        let urgent = JobID.generate()
        try store.enqueue(EnqueueRequest(id: urgent, kind: .identity, priority: 5), on: connection)
        #expect(try store.promoteDueJobs(on: connection).moved == 1)
        var order: [JobID] = []
        while let job = try store.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 1000, on: connection) { order.append(job.id) }
        // The due job was promoted last, but it became ready before the plain jobs were queued.
        #expect(order.first == delayed)
        #expect(order.dropFirst().first == urgent)
        #expect(Array(order.suffix(3)) == plain)
    }
}

import Foundation
import SluiceCore
import SluiceCron
import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceStore

/// The schedule scripts called directly, with ticks chosen by the test: exactly-once claims,
/// version checks, no-overlap, settling, retries of a script job — waiting only for Redis's clock to reach a tick.
@Suite("Schedule scripts against a real redis-server", .serialized)
struct ScheduleStoreTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// A schedule of a pushed bash script, set with its next due time in the past so it is due now.
    func makeSchedule(_ store: ScheduleStore, name: String = "nightly", noOverlap: Bool = false, on connection: RedisConnection) throws
        -> (ScheduleRecord, hash: String)
    {
        let path = try #require(ScriptPath("f/test/report"))
        let (hash, _) = try ScriptStore(keys: store.keys).push(path: path, language: .bash, content: "echo ok\n", on: connection)
        let now = try connection.serverMilliseconds()
        let definition = ScheduleDefinition(
            name: name, path: path.rawValue, cron: "* * * * * *", arguments: ["n": 1], createdBy: "ops", noOverlap: noOverlap,
            onFailure: "f/test/alert")
        try store.set(definition, nextDue: now - 1000, on: connection)
        return (try #require(try store.schedule(name, on: connection)), hash)
    }

    func firing(_ record: ScheduleRecord, tick: Int64, hash: String, missed: Int = 0, nextDue: Int64? = nil) -> TickFiring {
        let request = EnqueueRequest(
            id: JobID.generate(), kind: .script, queue: record.definition.queue, arguments: record.definition.arguments, path: record.definition.path,
            scriptHash: hash, language: .bash, createdBy: record.definition.createdBy, extraFields: record.runFields(tick: tick, retries: true))
        return TickFiring(
            name: record.name, version: record.version, tick: tick, missed: missed, nextDue: nextDue ?? (tick + 1) * 1000, start: .job(request))
    }

    /// Waits until Redis's clock reaches `milliseconds`: the tests claim ticks only once they are due.
    static func waitForRedisClock(_ milliseconds: Int64, on connection: RedisConnection) async throws {
        while try connection.serverMilliseconds() < milliseconds {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("every store script compiles in Redis")
    func scriptsCompile() throws {
        let connection = try server.connect()
        for script in StoreScripts.all {
            let reply = try connection.send(["SCRIPT", "LOAD", .string(script.source)])
            #expect(reply.string == script.sha1, "\(script.name): \(reply)")
        }
    }

    @Test("set creates a schedule in the due set; setting it again bumps its version and keeps what it did")
    func setAndReplace() throws {
        let store = ScheduleStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let (record, _) = try makeSchedule(store, on: connection)
        #expect(record.version == 1)
        #expect(record.definition.createdBy == "ops")
        #expect(record.definition.onFailure == "f/test/alert")
        var changed = record.definition
        changed.cron = "0 0 * * *"
        changed.onFailure = nil
        let (created, version) = try store.set(changed, nextDue: 4_000_000_000_000, on: connection)
        #expect(!created)
        #expect(version == 2)
        let again = try #require(try store.schedule("nightly", on: connection))
        #expect(again.definition.cron == "0 0 * * *")
        #expect(again.definition.onFailure == nil, "an option left out is cleared")
        #expect(again.createdAt == record.createdAt)
        #expect(again.updatedAt >= record.updatedAt)
        let score = try connection.send("ZSCORE", .string(store.keys.schedulesDue), "nightly").string
        #expect(score == "4000000000000")
        #expect(try store.list(on: connection).map(\.name) == ["nightly"])
    }

    @Test("a tick is claimed once: the same tick again, an older tick, or a stale version fire nothing")
    func exactlyOnce() async throws {
        let store = ScheduleStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let (record, hash) = try makeSchedule(store, on: connection)
        let now = try connection.serverMilliseconds()
        // The set happened a moment ago: the first tick after it is due once Redis's clock passes it.
        let tick = CronSchedule.wholeSeconds(record.updatedAt) + 1
        try await Self.waitForRedisClock(tick * 1000, on: connection)
        // Pipelined calls that meet NOSCRIPT (Redis restarted, scripts flushed) are loaded and sent again.
        _ = try connection.send("SCRIPT", "FLUSH")
        let first = try store.fire([firing(record, tick: tick, hash: hash)], on: connection)
        #expect(try first[0].get().kind == .fired)
        let job = try #require(try first[0].get().job)
        let repeated = try store.fire([firing(record, tick: tick, hash: hash), firing(record, tick: tick - 1, hash: hash)], on: connection)
        #expect(try repeated.map { try $0.get().kind } == [.stale, .stale])
        let future = try store.fire([firing(record, tick: CronSchedule.wholeSeconds(now) + 3600, hash: hash)], on: connection)
        #expect(try future[0].get().kind == .stale, "a tick that is not due on Redis's clock does not fire")
        #expect(try connection.send("LLEN", .string(store.keys.queue("default"))).integer == 1)
        let runs = try store.runs(of: "nightly", on: connection)
        #expect(runs.count == 1)
        #expect(runs.first?.tick == tick)
        #expect(runs.first?.kind == .fired)
        #expect(runs.first?.job == job)
        let queued = try #require(try JobStore(keys: store.keys).job(job, on: connection))
        #expect(queued.state == .queued)
        #expect(queued.createdBy == "ops")
        #expect(queued.extra["schedule"] == "nightly")
        #expect(queued.extra["schedule_tick"] == String(tick))
        let after = try #require(try store.schedule("nightly", on: connection))
        #expect(after.lastTick == tick)
        #expect(after.lastJob == job)
        #expect(after.fired == 1)
        #expect(after.nextDue == (tick + 1) * 1000)
        // A definition read before a change fires nothing.
        try store.set(record.definition, nextDue: (tick + 5) * 1000, on: connection)
        let stale = try store.fire([firing(record, tick: tick + 1, hash: hash)], on: connection)
        #expect(try stale[0].get().kind == .stale)
        #expect(try store.runs(of: "nightly", on: connection).count == 1)
    }

    @Test("a catch-up is recorded with its missed count; no-overlap records a skip while the previous run is unfinished")
    func catchUpAndSkip() async throws {
        let store = ScheduleStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let (record, hash) = try makeSchedule(store, noOverlap: true, on: connection)
        let base = CronSchedule.wholeSeconds(record.updatedAt)
        try await Self.waitForRedisClock((base + 2) * 1000, on: connection)
        let caught = try store.fire([firing(record, tick: base + 2, hash: hash, missed: 1)], on: connection)
        let firstJob = try #require(try caught[0].get().job)
        let reread = try #require(try store.schedule("nightly", on: connection))
        #expect(reread.catchUps == 1)
        try await Self.waitForRedisClock((base + 3) * 1000, on: connection)
        let skipped = try store.fire([firing(reread, tick: base + 3, hash: hash)], on: connection)
        #expect(try skipped[0].get().kind == .skipped)
        #expect(try connection.send("LLEN", .string(store.keys.queue("default"))).integer == 1, "a skipped tick starts nothing")
        let runs = try store.runs(of: "nightly", on: connection)
        #expect(runs.map(\.kind) == [.skipped, .catchUp])
        #expect(runs.map(\.job) == [firstJob, firstJob])
        #expect(runs.last?.missed == 1)
        #expect(try store.schedule("nightly", on: connection)?.skipped == 1)
    }

    @Test("a finished run is settled once: outcome on its entry, on-failure started once, only for a failure")
    func settleOnce() async throws {
        let store = ScheduleStore(keys: KeySpace.unique())
        let jobs = JobStore(keys: store.keys)
        let connection = try server.connect()
        let (record, hash) = try makeSchedule(store, on: connection)
        let tick = CronSchedule.wholeSeconds(record.updatedAt) + 1
        try await Self.waitForRedisClock(tick * 1000, on: connection)
        let job = try #require(try store.fire([firing(record, tick: tick, hash: hash)], on: connection)[0].get().job)
        let taken = try #require(try jobs.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 10_000, on: connection))
        #expect(taken.id == job)
        _ = try jobs.complete(taken, worker: "w", outcome: .failure("boom"), logs: "", next: nil, on: connection)
        let pending = try store.pendingSettlements(limit: 10, on: connection)
        #expect(pending.map(\.0) == [job])
        let handler = EnqueueRequest(id: JobID.generate(), kind: .identity, arguments: ["handled": true])
        let settlement = RunSettlement(job: job, schedule: "nightly", onFailure: .job(handler))
        let results = try store.settle([settlement, settlement], on: connection)
        #expect(try results.map { try $0.get() } == [.settled(onFailureJob: handler.id), .alreadySettled])
        #expect(try store.pendingSettlements(limit: 10, on: connection).isEmpty)
        let run = try #require(try store.runs(of: "nightly", on: connection).first)
        #expect(run.outcome == "failure")
        #expect(run.onFailureJob == handler.id)
        #expect(run.attempts == 1)
        #expect(try jobs.job(handler.id, on: connection)?.state == .queued)
        #expect(try jobs.job(job, on: connection)?.extra["on_failure_job"] == handler.id.rawValue)
    }

    @Test("a failing script job with retries waits in the delayed set per attempt, then fails for good and is settled")
    func retriesThroughTheDelayedSet() async throws {
        let keys = KeySpace.unique()
        let jobs = JobStore(keys: keys)
        let connection = try server.connect()
        let id = JobID.generate()
        try jobs.enqueue(
            EnqueueRequest(
                id: id, kind: .identity, extraFields: [("retry_delays", "[50,60000]"), ("attempt", "1"), ("schedule", "nightly")]),
            on: connection)
        let first = try #require(try jobs.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 10_000, on: connection))
        #expect(try jobs.complete(first, worker: "w", outcome: .failure("first"), logs: "", next: nil, on: connection).applied)
        var record = try #require(try jobs.job(id, on: connection))
        #expect(record.state == .scheduled)
        #expect(record.extra["attempt"] == "2")
        #expect(record.extra["last_error"] == "first")
        #expect(try connection.send("ZSCORE", .string(keys.delayed), .string(id.rawValue)).string != nil)
        #expect(try connection.send("ZCARD", .string(keys.leases)).integer == 0)
        #expect(try connection.send("ZCARD", .string(keys.schedulesSettle)).integer == 0, "a job waiting to retry has not finished")
        while try jobs.promoteDueJobs(on: connection).moved == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let second = try #require(try jobs.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 10_000, on: connection))
        #expect(second.deliveries == 2)
        _ = try jobs.complete(second, worker: "w", outcome: .failure("second"), logs: "", next: nil, on: connection)
        record = try #require(try jobs.job(id, on: connection))
        #expect(record.extra["attempt"] == "3")
        // The last delay is a minute: make it due by hand, then the third attempt fails for good.
        _ = try connection.send("ZADD", .string(keys.delayed), "0", .string(id.rawValue))
        _ = try jobs.promoteDueJobs(on: connection)
        let third = try #require(try jobs.fetch(worker: "w", queues: ["default"], leaseMilliseconds: 10_000, on: connection))
        _ = try jobs.complete(third, worker: "w", outcome: .failure("third"), logs: "", next: nil, on: connection)
        record = try #require(try jobs.job(id, on: connection))
        #expect(record.state == .failure)
        #expect(record.error == "third")
        #expect(try connection.send("ZSCORE", .string(keys.schedulesSettle), .string(id.rawValue)).string != nil)
    }

    @Test("pause takes a schedule out of the due set at the version read; resume puts it back; delete removes everything")
    func pauseResumeDelete() throws {
        let store = ScheduleStore(keys: KeySpace.unique())
        let connection = try server.connect()
        let (record, _) = try makeSchedule(store, on: connection)
        #expect(try store.setEnabled("nightly", enabled: false, expectedVersion: record.version + 7, nextDue: nil, on: connection) == .stale)
        #expect(try store.setEnabled("nightly", enabled: false, expectedVersion: record.version, nextDue: nil, on: connection) == .paused)
        #expect(try connection.send("ZCARD", .string(store.keys.schedulesDue)).integer == 0)
        let paused = try #require(try store.schedule("nightly", on: connection))
        #expect(!paused.definition.enabled)
        #expect(paused.nextDue == nil)
        #expect(try store.setEnabled("nightly", enabled: false, expectedVersion: paused.version, nextDue: nil, on: connection) == .unchanged)
        #expect(
            try store.setEnabled("nightly", enabled: true, expectedVersion: paused.version, nextDue: 5_000_000_000_000, on: connection) == .resumed)
        let resumed = try #require(try store.schedule("nightly", on: connection))
        #expect(resumed.definition.enabled)
        #expect(resumed.updatedAt >= paused.updatedAt)
        #expect(try connection.send("ZSCORE", .string(store.keys.schedulesDue), "nightly").string == "5000000000000")
        #expect(try store.setEnabled("nope", enabled: true, expectedVersion: 1, nextDue: nil, on: connection) == nil)
        #expect(try store.delete("nightly", on: connection))
        #expect(!(try store.delete("nightly", on: connection)))
        let keys = [store.keys.schedule("nightly"), store.keys.scheduleRuns("nightly"), store.keys.schedules, store.keys.schedulesDue]
        let left = try keys.filter { try connection.send("EXISTS", .string($0)).integer == 1 }
        #expect(left.isEmpty, "left behind: \(left)")
    }
}

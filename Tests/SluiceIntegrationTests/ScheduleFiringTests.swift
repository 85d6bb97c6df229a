import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// Any job id: job keys all have the length of this one's.
private let failedJobPlaceholder = JobID(milliseconds: 0)

/// Schedules fired by a scheduler process (and run by an in-process worker) on a private
/// redis-server, in real time: ticks one or two seconds apart.
@Suite("Schedules fired by the scheduler", .serialized, .tags(.processes))
struct ScheduleFiringTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// Only settled runs, oldest first.
    static func settled(_ runs: [ScheduleRun]) -> [ScheduleRun] {
        runs.filter { $0.outcome != nil }.reversed()
    }

    // A machine busy enough to hold the scheduler back past a whole period turns a tick into a
    // catch-up (make test's load did, now and then): so the test asserts that every tick between the
    // first and the last is accounted for exactly once — fired within its period, or counted as
    // missed by the catch-up that followed — rather than that none was ever late.
    @Test("ticks two seconds apart fire once each within their period, every tick accounted for; each run is recorded with its job and outcome")
    func firesOnTime() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushScript("f/test/stamp", .bash, "n=\"$1\"\necho \"{\\\"n\\\": $n}\"\n")
        try await harness.withWorker { _ in
            try await harness.withSchedulerProcess {
                try harness.setSchedule(ScheduleDefinition(name: "every2", path: "f/test/stamp", cron: "*/2 * * * * *", arguments: ["n": 7]))
                let runs = try await harness.runs(of: "every2") { Self.settled($0).count >= 3 }
                let settled = Self.settled(runs)
                try #require(settled.count >= 3, "runs: \(runs)")
                // Every recorded run, settled or not (under load a run can finish after the next
                // tick's), oldest first.
                let recorded = Array(runs.reversed())
                let ticks = recorded.map(\.tick)
                #expect(ticks.allSatisfy { $0 % 2 == 0 })
                // Consecutive runs are one period apart, plus one period per tick the later one missed.
                #expect(
                    zip(recorded, recorded.dropFirst()).allSatisfy { $1.tick - $0.tick == Int64(2 * (1 + $1.missed)) },
                    "ticks \(ticks), missed \(recorded.map(\.missed))")
                #expect(recorded.allSatisfy { $0.kind == ($0.missed == 0 ? .fired : .catchUp) })
                #expect(settled.filter { $0.kind == .fired }.count >= 2, "runs: \(runs)")
                #expect(settled.allSatisfy { $0.outcome == "success" })
                #expect(settled.allSatisfy { $0.lateness >= 0 && $0.lateness < 2000 }, "lateness: \(settled.map(\.lateness))")
                let connection = try server.connect()
                for run in settled {
                    let jobID = try #require(run.job)
                    let job = try #require(try harness.store.job(jobID, on: connection))
                    #expect(job.result == ["n": 7])
                    #expect(job.extra["schedule"] == "every2")
                    #expect(job.extra["schedule_tick"] == String(run.tick))
                }
                // The scheduler goes on firing while the test reads: compare the fired count with
                // the runs read between two equal readings of it (a tick lands every two seconds).
                var snapshot: (fired: Int, runs: [ScheduleRun])?
                for _ in 0..<5 where snapshot == nil {
                    let before = try #require(try harness.schedules.schedule("every2", on: connection)).fired
                    let allRuns = try harness.schedules.runs(of: "every2", on: connection)
                    let after = try #require(try harness.schedules.schedule("every2", on: connection)).fired
                    if before == after { snapshot = (before, allRuns) }
                }
                let consistent = try #require(snapshot, "the fired count never held still across a read")
                #expect(consistent.fired == consistent.runs.count)
                #expect(Set(consistent.runs.compactMap(\.job)).count == consistent.runs.count, "one job per tick")
            }
        }
    }

    @Test("a flow on a schedule: each tick starts one flow run with the schedule's args as its input")
    func firesFlows() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushFlow(
            """
            schema: {type: object, properties: {who: {type: string}, n: {type: integer, default: 3}}, required: [who]}
            value:
              modules:
                - id: hello
                  value:
                    type: rawscript
                    language: python3
                    content: |
                      def main(who: str, n: int):
                          return {"hello": who, "n": n}
                    input_transforms:
                      who: {type: javascript, expr: flow_input.who}
                      n: {type: javascript, expr: flow_input.n}
            """, path: "f/test/hello-flow")
        try await harness.withWorker { _ in
            try await harness.withSchedulerProcess {
                try harness.setSchedule(
                    ScheduleDefinition(
                        name: "f/test/flowy", path: "f/test/hello-flow", cron: "* * * * * *", arguments: ["who": "ada"], createdBy: "ops"))
                let runs = try await harness.runs(of: "f/test/flowy") { Self.settled($0).count >= 2 }
                let settled = Self.settled(runs)
                try #require(settled.count >= 2, "runs: \(runs)")
                let connection = try server.connect()
                for run in settled {
                    let flowID = try #require(run.job)
                    let flow = try #require(try harness.store.job(flowID, on: connection))
                    #expect(flow.kind == .flow)
                    #expect(flow.state == .success)
                    #expect(flow.result == ["hello": "ada", "n": 3])
                    #expect(flow.createdBy == "ops")
                    #expect(flow.extra["schedule"] == "f/test/flowy")
                }
            }
        }
    }

    @Test("no-overlap: a tick while the previous run is still going is recorded as skipped and starts nothing")
    func noOverlap() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushScript("f/test/slow", .bash, "sleep 2.2\necho done\n")
        try await harness.withWorker { _ in
            try await harness.withSchedulerProcess {
                try harness.setSchedule(ScheduleDefinition(name: "slow", path: "f/test/slow", cron: "* * * * * *", noOverlap: true))
                let runs = try await harness.runs(of: "slow") { runs in
                    runs.contains { $0.kind == .skipped } && Self.settled(runs).count >= 2
                }
                let connection = try server.connect()
                let skipped = runs.filter { $0.kind == .skipped }
                try #require(!skipped.isEmpty, "runs: \(runs)")
                var jobs: [JobID: JobRecord] = [:]
                for id in Set(runs.compactMap(\.job)) { jobs[id] = try harness.store.job(id, on: connection) }
                for skip in skipped {
                    // The run it points to had not finished when the tick was handled.
                    let runningID = try #require(skip.job)
                    let running = try #require(jobs[runningID])
                    #expect((running.finishedAt ?? .max) > skip.handledAt)
                    #expect(runs.contains { $0.kind == .fired && $0.job == skip.job && $0.tick < skip.tick })
                }
                let fired = runs.filter { $0.kind == .fired }.compactMap { $0.job.flatMap { jobs[$0] } }.sorted { $0.createdAt < $1.createdAt }
                for (earlier, later) in zip(fired, fired.dropFirst()) {
                    if let finished = earlier.finishedAt, let started = later.startedAt {
                        #expect(finished <= started, "two runs of a no-overlap schedule ran at once")
                    }
                }
                #expect(try harness.schedules.schedule("slow", on: connection)?.skipped == skipped.count)
            }
        }
    }

    @Test("on-failure: a run that fails for good starts its handler once, script or flow, with the error, schedule and job id")
    func onFailure() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushScript("f/test/broken", .bash, "echo 'disk is full' >&2\nexit 3\n")
        try harness.pushScript(
            "f/test/alert", .python3,
            "def main(error: dict, schedule: str, job_id: str, path: str, tick: str, attempts: int, **rest):\n"
                + "    return {'message': error['message'], 'name': error['name'], 'schedule': schedule, 'job_id': job_id, 'path': path}\n")
        try harness.pushFlow(
            """
            value:
              modules:
                - id: page
                  value:
                    type: rawscript
                    language: python3
                    content: |
                      def main(text: str):
                          return {"who": text}
                    input_transforms:
                      text: {type: javascript, expr: '`${flow_input.schedule} failed: ${flow_input.error.message}`'}
            """, path: "f/test/page-flow")
        try await harness.withWorker { _ in
            try await harness.withSchedulerProcess {
                try harness.setSchedule(ScheduleDefinition(name: "broken", path: "f/test/broken", cron: "* * * * * *", onFailure: "f/test/alert"))
                try harness.setSchedule(
                    ScheduleDefinition(name: "broken-flow", path: "f/test/broken", cron: "* * * * * *", onFailure: "f/test/page-flow"))
                let connection = try server.connect()
                for (name, handlerKind) in [("broken", JobKind.script), ("broken-flow", .flow)] {
                    let runs = try await harness.runs(of: name) { runs in runs.contains { $0.onFailureJob != nil } }
                    let run = try #require(runs.first { $0.onFailureJob != nil }, "runs: \(runs)")
                    #expect(run.outcome == "failure")
                    let failed = try #require(run.job)
                    let handler = try await harness.finished(try #require(run.onFailureJob))
                    #expect(handler.kind == handlerKind)
                    #expect(handler.state == .success, "\(handler.error ?? "")")
                    #expect(handler.extra["on_failure_of"] == failed.rawValue)
                    #expect(handler.arguments["job_id"] == .string(failed.rawValue))
                    #expect(handler.arguments["schedule"] == .string(name))
                    #expect(handler.arguments["error"]?["message"]?.stringValue?.contains("disk is full") == true)
                    if handlerKind == .script {
                        #expect(handler.result?["schedule"] == "broken")
                        #expect(handler.result?["name"] == "ScriptError")
                        #expect(handler.result?["path"] == "f/test/broken")
                    } else {
                        #expect(handler.result?["who"]?.stringValue?.hasPrefix("broken-flow failed: ") == true)
                    }
                    #expect(try harness.store.job(failed, on: connection)?.extra["on_failure_job"] == run.onFailureJob?.rawValue)
                }
                // One handler per failed run, never a second one.
                let handlers = try connection.send("KEYS", .string(harness.store.keys.namespace + "job:*")).array ?? []
                var handled: [String: Int] = [:]
                let jobKeyLength = harness.store.keys.job(failedJobPlaceholder).count
                for key in handlers.compactMap(\.string) where key.count == jobKeyLength {
                    if let of = try connection.send("HGET", .string(key), "on_failure_of").string { handled[of, default: 0] += 1 }
                }
                #expect(!handled.isEmpty)
                #expect(handled.values.allSatisfy { $0 == 1 }, "\(handled)")
            }
        }
    }

    @Test("retries: a failing run is retried per the schedule's policy and succeeds on its third attempt; one out of retries fails once")
    func retries() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushScript("f/test/flaky", .bash, "echo \"attempt $SLUICE_ATTEMPT\" >&2\n[ \"$SLUICE_ATTEMPT\" -ge 3 ] || exit 1\necho ok\n")
        try harness.pushScript("f/test/alert", .bash, "echo alerted\n")
        let policy: JSONValue = ["constant": ["attempts": 2, "seconds": 0.2]]
        try await harness.withWorker { _ in
            try await harness.withSchedulerProcess {
                try harness.setSchedule(
                    ScheduleDefinition(
                        name: "flaky", path: "f/test/flaky", cron: "*/5 * * * * *", onFailure: "f/test/alert", retry: policy, retryDelays: [200, 200])
                )
                try harness.setSchedule(
                    ScheduleDefinition(
                        name: "hopeless", path: "f/test/flaky", cron: "*/5 * * * * *", onFailure: "f/test/alert",
                        retry: ["constant": ["attempts": 1]],
                        retryDelays: [100]))
                let connection = try server.connect()
                let flaky = try #require(Self.settled(try await harness.runs(of: "flaky") { !Self.settled($0).isEmpty }).first)
                #expect(flaky.outcome == "success")
                #expect(flaky.attempts == 3)
                #expect(flaky.onFailureJob == nil)
                let jobID = try #require(flaky.job)
                let job = try #require(try harness.store.job(jobID, on: connection))
                #expect(job.result == "ok")
                #expect(job.deliveries == 3)
                #expect(job.extra["last_error"]?.isEmpty == false)
                let scheduledFor = try #require(job.scheduledFor)
                #expect(scheduledFor >= job.createdAt + 400, "two waits of 200 ms before the third attempt")
                let hopeless = try #require(Self.settled(try await harness.runs(of: "hopeless") { !Self.settled($0).isEmpty }).first)
                #expect(hopeless.outcome == "failure")
                #expect(hopeless.attempts == 2)
                let handler = try #require(hopeless.onFailureJob)
                #expect(try await harness.finished(handler).arguments["attempts"] == 2)
            }
        }
    }

    @Test("pause stops the ticks, resume starts again from now (no catch-up of the paused ticks), delete removes the schedule")
    func pauseResumeDelete() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushScript("f/test/tick", .bash, "echo tick\n")
        try await harness.withSchedulerProcess {
            let record = try harness.setSchedule(ScheduleDefinition(name: "ticker", path: "f/test/tick", cron: "* * * * * *"))
            let connection = try server.connect()
            _ = try await harness.runs(of: "ticker") { !$0.isEmpty }
            #expect(
                try harness.schedules.setEnabled("ticker", enabled: false, expectedVersion: record.version, nextDue: nil, on: connection) == .paused)
            let paused = try #require(try harness.schedules.schedule("ticker", on: connection))
            let pausedAt = try harness.redisNow()
            try await harness.waitForRedisClock(pausedAt + 2500)
            let whilePaused = try harness.schedules.runs(of: "ticker", on: connection)
            #expect(whilePaused.allSatisfy { $0.handledAt <= pausedAt }, "a paused schedule fired: \(whilePaused)")
            let resumedAt = try harness.redisNow()
            let next = (resumedAt / 1000 + 1) * 1000
            #expect(
                try harness.schedules.setEnabled("ticker", enabled: true, expectedVersion: paused.version, nextDue: next, on: connection) == .resumed)
            let after = try await harness.runs(of: "ticker") { $0.count > whilePaused.count }
            let first = try #require(after.first)
            #expect(first.tick * 1000 > resumedAt - 1000)
            #expect(first.kind == .fired)
            #expect(first.missed == 0, "the ticks of the pause are not caught up")
            #expect(try harness.schedules.delete("ticker", on: connection))
            let deletedAt = try harness.redisNow()
            try await harness.waitForRedisClock(deletedAt + 1500)
            #expect(try harness.schedules.schedule("ticker", on: connection) == nil)
            #expect(try connection.send("ZCARD", .string(harness.store.keys.schedulesDue)).integer == 0)
            let jobs = try connection.send("LRANGE", .string(harness.store.keys.queue("default")), "0", "-1").array?.compactMap(\.string) ?? []
            for id in jobs.compactMap(JobID.init) {
                #expect((try harness.store.job(id, on: connection)?.createdAt ?? 0) <= deletedAt, "a deleted schedule fired")
            }
        }
    }

    @Test("a changed definition takes effect at its next tick: new args from the next run, nothing fired for the ticks before the change")
    func changeTakesEffectAtNextTick() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try harness.pushScript("f/test/echo", .bash, "v=\"$1\"\necho \"$v\"\n")
        try await harness.withSchedulerProcess {
            let definition = ScheduleDefinition(name: "echo", path: "f/test/echo", cron: "* * * * * *", arguments: ["v": "one"])
            try harness.setSchedule(definition)
            let before = try await harness.runs(of: "echo") { $0.count >= 2 }
            var changed = definition
            changed.arguments = ["v": "two"]
            let record = try harness.setSchedule(changed)
            #expect(record.version == 2)
            let after = try await harness.runs(of: "echo") { $0.count >= before.count + 2 }
            let connection = try server.connect()
            let sinceChange = after.filter { $0.handledAt > record.updatedAt }
            #expect(sinceChange.count >= 2)
            for run in after {
                let jobID = try #require(run.job)
                let job = try #require(try harness.store.job(jobID, on: connection))
                if run.handledAt > record.updatedAt {
                    #expect(run.tick * 1000 > record.updatedAt, "a tick from before the change fired after it")
                    #expect(job.arguments == ["v": "two"])
                } else {
                    #expect(job.arguments == ["v": "one"])
                }
            }
            #expect(after.allSatisfy { $0.missed == 0 })
        }
    }
}

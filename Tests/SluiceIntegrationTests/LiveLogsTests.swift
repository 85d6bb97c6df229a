import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// What a job prints reaches its logs key while it runs (about once a second), so its page and
/// `sluice job logs` follow it; the final logs still come with the outcome.
@Suite("Logs while a job runs")
struct LiveLogsTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test(
        "a bash job's and a python job's (warm runner) first line is in Redis while they still run, the last one only once printed; a write after the outcome changes nothing"
    )
    func logsWhileRunning() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker { _ in
            // Each job holds at its own gate after its first line until the test has seen that line.
            let bashGate = try await JobGate()
            let pythonGate = try await JobGate()
            let bash = try harness.run(.bash, "echo first line\n\(bashGate.bashLine)\necho last line\necho done\n")
            let python = try harness.run(
                .python3, "def main():\n    print('first line', flush=True)\n    \(pythonGate.pythonLine)\n    print('last line')\n    return 1\n")
            let connection = try server.connect()
            // Both run at once: watch both until each has shown its first line while running.
            var seen: [JobID: String] = [:]
            let deadline = ContinuousClock.now + .seconds(60)
            while seen.count < 2, ContinuousClock.now < deadline {
                for id in [bash, python] where seen[id] == nil {
                    let job = try #require(try harness.store.job(id, on: connection))
                    if job.state == .running, let logs = try harness.store.logs(id, on: connection), logs.contains("first line") {
                        seen[id] = logs
                    }
                    #expect(!job.state.isFinal, "\(id) ended before its logs were seen while it ran")
                    if job.state.isFinal { seen[id] = "" }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            bashGate.release()
            pythonGate.release()
            for id in [bash, python] {
                #expect(seen[id]?.contains("first line") == true, "no logs while \(id) ran")
                #expect(seen[id]?.contains("last line") == false)
                let done = try await harness.finished(id)
                #expect(done.state == .success)
                let final = try #require(try harness.store.logs(id, on: connection))
                #expect(final.contains("first line") && final.contains("last line"))
                // A late write (a pump that lost the race with the outcome) is fenced off.
                let written = try harness.store.writeLiveLogs(id, worker: done.worker ?? "", delivery: done.deliveries, logs: "stale", on: connection)
                #expect(!written)
                #expect(try harness.store.logs(id, on: connection) == final)
            }
        }
    }
}

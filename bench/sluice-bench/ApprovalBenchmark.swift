import ArgumentParser
import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Approval gates: resume latency over HTTP with an idle worker; memory per parked flow with many
/// parked; lateness of gate deadlines fired by the scheduler with that many open.
struct ApprovalBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals", abstract: "Resume latency, memory per parked flow, deadline lateness.")

    @Option(help: "Approvals measured one at a time.") var samples: Int = 300
    @Option(help: "Flows parked at once for the memory and lateness figures.") var parked: Int = 100_000
    @Option(help: "Directory of the built executables.") var binaries: String = ".build/release"

    func run() async throws {
        let environment = try BenchEnvironment(binaries: binaries)
        defer { environment.server.stop() }
        let connection = try environment.connect()
        let port = try RedisServer.freePort()
        let worker = try environment.start("worker", ["--concurrency", "8", "--public-url", "http://127.0.0.1:\(port)"])
        let scheduler = try environment.start("scheduler", [])
        let resumer = try environment.start("resumer", ["--port", String(port)])
        defer { environment.stop(worker, scheduler, resumer) }
        try await Task.sleep(for: .milliseconds(800))
        let driver = GatedFlowDriver(keys: environment.keys, connection: connection, publicURL: "http://127.0.0.1:\(port)")
        let flows = driver.flows
        let gates = driver.gates
        let jobs = driver.jobs
        func push(_ name: String, timeout: Int) throws -> StoredFlow { try driver.push(name, timeout: timeout) }
        func start(_ flow: StoredFlow) throws -> JobID { try driver.start(flow) }
        func parkedGate(_ id: JobID) async throws -> GateRecord { try await driver.parkedGate(id) }

        // Resume latency.
        let quick = try push("latency", timeout: 3600)
        var roundTrips: [Double] = []
        var toNextStep: [Double] = []
        var toFlowDone: [Double] = []
        var measured: [(flow: JobID, closed: Int64, next: JobID)] = []
        for index in 0..<(samples + 20) {
            let id = try start(quick)
            let gate = try await parkedGate(id)
            let begin = ContinuousClock.now
            let status = try await driver.approve(gate)
            let accepted = ContinuousClock.now
            guard status == 200 else { throw CleanExit.message("approval refused: \(status)") }
            _ = try jobs.wait(for: id, timeout: .seconds(10), on: connection)
            let done = ContinuousClock.now
            guard index >= 20 else { continue }
            roundTrips.append(milliseconds(accepted - begin))
            toFlowDone.append(milliseconds(done - begin))
            let steps = try flows.steps(of: id, on: connection)
            if let closed = try gates.gate(gate.id, on: connection)?.closedAt, let next = steps.last,
                let started = try jobs.job(next, on: connection)?.startedAt
            {
                toNextStep.append(Double(started - closed))
                measured.append((id, closed, next))
            }
        }
        let post = Summary(roundTrips)
        let next = Summary(toNextStep)
        let end = Summary(toFlowDone)
        print("resume latency, idle worker, \(samples) approvals over HTTP:")
        print("  POST round trip (accepted):          median \(format(post.median, digits: 2)) ms, p99 \(format(post.percentile(99), digits: 2)) ms")
        print(
            "  gate closed → next step started:     median \(format(next.median, digits: 0)) ms, p99 \(format(next.percentile(99), digits: 0)) ms (Redis clock, 1 ms resolution)"
        )
        print("  POST sent → flow finished (2 steps): median \(format(end.median, digits: 2)) ms, p99 \(format(end.percentile(99), digits: 2)) ms")
        // Where the gate-closed → next-step time goes: the flow event's hop through the queue, the
        // worker applying the decision, the next step's own wait for a worker.
        let events = try flowEvents(of: Set(measured.map(\.flow)), keys: environment.keys, on: connection)
        var hop: [Double] = []
        var applying: [Double] = []
        var stepWait: [Double] = []
        for sample in measured {
            guard let event = events[sample.flow], let step = try jobs.job(sample.next, on: connection), let stepStarted = step.startedAt else {
                continue
            }
            hop.append(Double(event.started - sample.closed))
            applying.append(Double(event.finished - event.started))
            stepWait.append(Double(stepStarted - step.createdAt))
        }
        print(
            "  of which, means over \(hop.count) (Redis clock, 1 ms resolution): flow event queued → taken by a worker \(format(Summary(hop).mean, digits: 2)) ms, "
                + "taken → next step queued \(format(Summary(applying).mean, digits: 2)) ms, next step queued → started \(format(Summary(stepWait).mean, digits: 2)) ms"
        )

        // A forged link on an existing gate against a link to no gate: the same work, the same time
        // (docs/security.md). Asked alternately, in rounds, on one keep-alive connection.
        let targetFlow = try start(quick)
        let target = try await parkedGate(targetFlow)
        let forgedLink = ResumeLinks(
            publicURL: "http://127.0.0.1:\(port)", gate: target.id.rawValue, subject: .named("mallory"),
            mintingKey: GateSecret.mintingKey(secret: String(repeating: "1", count: 64)))
        let missingLink = ResumeLinks(
            publicURL: "http://127.0.0.1:\(port)", gate: JobID(milliseconds: 1).rawValue, subject: .named("mallory"),
            mintingKey: GateSecret.mintingKey(secret: String(repeating: "1", count: 64)))
        print("forged link on an existing gate vs a link to no gate (GET, alternately, \(samples * 10) each per round):")
        for round in 1...3 {
            var forged: [Double] = []
            var missing: [Double] = []
            for index in 0..<(samples * 10 * 2) {
                let url = index % 2 == 0 ? forgedLink.approvalPage : missingLink.approvalPage
                var request = URLRequest(url: URL(string: url) ?? URL(fileURLWithPath: "/"))
                request.setValue("application/json", forHTTPHeaderField: "Accept")
                let begin = ContinuousClock.now
                let (_, response) = try await URLSession.shared.data(for: request)
                let took = milliseconds(ContinuousClock.now - begin) * 1000
                guard (response as? HTTPURLResponse)?.statusCode == 404 else { throw CleanExit.message("expected 404: \(response)") }
                if index % 2 == 0 { forged.append(took) } else { missing.append(took) }
            }
            let (a, b) = (Summary(forged), Summary(missing))
            print(
                "  round \(round): forged median \(format(a.median, digits: 0)) µs (p90 \(format(a.percentile(90), digits: 0))), "
                    + "no gate median \(format(b.median, digits: 0)) µs (p90 \(format(b.percentile(90), digits: 0))); "
                    + "difference of medians \(format(a.median - b.median, digits: 1)) µs")
        }
        // Its gate closed, so the deadline wait below waits for the parked flows' deadlines only
        // (left open, its hour-long deadline held that wait for an hour).
        guard try await driver.approve(target) == 200 else { throw CleanExit.message("the forged-link target's approval was refused") }
        _ = try jobs.wait(for: targetFlow, timeout: .seconds(10), on: connection)

        // Memory and deadline lateness with many flows parked.
        let timeout = max(60, parked / 1000 + 30)
        let many = try push("parked", timeout: timeout)
        _ = try connection.send("MEMORY", "PURGE")
        let before = try usedMemory(connection)
        let begin = ContinuousClock.now
        for _ in 0..<parked { _ = try start(many) }
        while try connection.send("ZCARD", .string(environment.keys.gateDeadlines)).integer ?? 0 < Int64(parked) {
            try await Task.sleep(for: .milliseconds(200))
        }
        let parkSeconds = milliseconds(ContinuousClock.now - begin) / 1000
        let after = try usedMemory(connection)
        print(
            "\(parked) flows parked in \(format(parkSeconds, digits: 1)) s; Redis memory per parked flow: \(format(Double(after - before) / Double(parked), digits: 0)) bytes "
                + "(used_memory \(before / 1_048_576) MiB → \(after / 1_048_576) MiB)")
        print("waiting for their \(timeout) s deadlines to fire...")
        while try connection.send("ZCARD", .string(environment.keys.gateDeadlines)).integer ?? 1 > 0 {
            try await Task.sleep(for: .seconds(1))
        }
        let gateKeys =
            try connection.send("KEYS", .string(environment.keys.namespace + "gate:*")).array?.compactMap(\.string).filter {
                !$0.contains(":approv") && !$0.hasSuffix(":rejections") && !$0.hasSuffix(":deciders")
            } ?? []
        var lateness: [Double] = []
        for chunk in stride(from: 0, to: gateKeys.count, by: 5000) {
            let replies = try connection.pipeline(
                gateKeys[chunk..<min(gateKeys.count, chunk + 5000)].map { ["HMGET", .string($0), "state", "deadline", "closed_at"] })
            for reply in replies {
                let fields = reply.array ?? []
                guard fields.count == 3, fields[0].string == "timed_out", let deadline = fields[1].integer, let closed = fields[2].integer else {
                    continue
                }
                lateness.append(Double(closed - deadline))
            }
        }
        let late = Summary(lateness)
        print(
            "gate deadlines fired with \(parked) open: \(lateness.count) timed out; lateness (fire − deadline, Redis clock): median \(format(late.median, digits: 0)) ms, "
                + "p99 \(format(late.percentile(99), digits: 0)) ms, max \(format(late.sorted.last ?? 0, digits: 0)) ms")
    }

    /// The `flow_event` job of each of `flows` (the benchmark's flows have one gate, so one event
    /// each): when it was queued, taken and finished, on Redis's clock.
    private func flowEvents(of flows: Set<JobID>, keys space: KeySpace, on connection: RedisConnection) throws -> [JobID: (
        started: Int64, finished: Int64
    )] {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.send("SCAN", .string(cursor), "MATCH", .string(space.namespace + "job:*"), "COUNT", "1000")
            let parts = reply.array ?? []
            cursor = parts.first?.string ?? "0"
            keys += (parts.count > 1 ? parts[1].array ?? [] : []).compactMap(\.string).filter { $0.split(separator: ":").count == 3 }
        } while cursor != "0"
        var events: [JobID: (started: Int64, finished: Int64)] = [:]
        for chunk in stride(from: 0, to: keys.count, by: 1000) {
            let replies = try connection.pipeline(
                keys[chunk..<min(keys.count, chunk + 1000)].map { ["HMGET", .string($0), "kind", "flow_id", "started_at", "finished_at"] })
            for reply in replies {
                let fields = reply.array?.map(\.string) ?? []
                guard fields.count == 4, fields[0] == "flow_event", let flow = fields[1].flatMap(JobID.init), flows.contains(flow),
                    let started = fields[2].flatMap({ Int64($0) }), let finished = fields[3].flatMap({ Int64($0) })
                else { continue }
                events[flow] = (started, finished)
            }
        }
        return events
    }

    private func usedMemory(_ connection: RedisConnection) throws -> Int {
        let info = try connection.send("INFO", "memory").string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }
        return line.flatMap { Int($0.dropFirst("used_memory:".count)) } ?? 0
    }
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

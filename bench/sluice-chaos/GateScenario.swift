import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore
import SluiceTesting

/// Scenario 6, gates at volume: parked flows, each hit at once by three approvals (two needed), a
/// rejection and — for half of them — its own deadline, while the resumer and the workers are
/// SIGKILLed and restarted. Each gate closes exactly once (one flow event), its flow takes one
/// next step (or is canceled), no flow is stuck, and every answer an approver finally got agrees
/// with what the gate recorded — a retry after a lost answer says "already counted", never 410.
struct GateScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL

    /// The flow variants: gate timeout (s) and continue_on_disapprove_timeout.
    static let variants: [(timeout: Int, continues: Bool)] = [(6, true), (9, false), (3600, true), (3600, false)]
    static let approvers = ["alice", "bob", "carol"]
    static let rejecter = "dave"

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(
            name: "6-gates", title: "parked gates hit by 3 approvals (2 needed), a rejection and their deadline; resumer and workers SIGKILLed")
        let cluster = try ChaosCluster(binaries: binaries, directory: directory)
        defer { cluster.stopAll() }
        let recorder = try RunRecorder(directory: directory)
        defer { recorder.stop() }
        let workload = try ChaosWorkload(cluster: cluster, recorderPort: recorder.port)
        let connection = try cluster.connect()
        let engine = FlowEngine(flows: FlowStore(keys: cluster.keys))
        for (index, variant) in Self.variants.enumerated() {
            guard let path = ScriptPath("f/chaos/gate\(index)") else { throw ChaosFailure("bad path") }
            _ = try engine.push(path: path, text: Self.gateFlow(variant, workload: workload), on: connection)
        }
        let port = try RedisServer.freePort()
        let resumerArguments = ["--port", String(port), "--public-url", "http://127.0.0.1:\(port)"]
        try cluster.start("resumer-1", executable: "resumer", resumerArguments)
        try cluster.start(cluster.nextName("scheduler"), executable: "scheduler", [])
        let workerArguments = ["--concurrency", "4", "--lease", "3"]
        for _ in 0..<2 { try cluster.startWorker(cluster.nextName("worker"), workerArguments) }

        // Park the flows.
        var flows: [(id: JobID, variant: Int)] = []
        for index in 0..<scale.parkedGates {
            let id = JobID.generate()
            let variant = index % Self.variants.count
            try engine.start(
                FlowEngine.Start(id: id, path: "f/chaos/gate\(variant)", input: [:], maxDeliveries: workload.maxDeliveries), on: connection)
            flows.append((id, variant))
        }
        let gates = GateStore(keys: cluster.keys)
        let store = JobStore(keys: cluster.keys)
        var parked: [JobID: GateRecord] = [:]
        let parkDeadline = ContinuousClock.now + .seconds(60)
        while parked.count < flows.count, ContinuousClock.now < parkDeadline {
            for flow in flows where parked[flow.id] == nil {
                if let job = try store.job(flow.id, on: connection), job.state == .suspended, let gate = job.extra["gate"].flatMap(JobID.init),
                    let record = try gates.gate(gate, on: connection), record.state == .open
                {
                    parked[flow.id] = record
                }
            }
            if parked.count < flows.count { Thread.sleep(forTimeInterval: 0.1) }
        }
        report.figure("flows parked at a gate", parked.count)
        if parked.count < flows.count { report.problem("\(flows.count - parked.count) flows never parked") }

        // Each gate's four requests go out together: just around its deadline (from 200 ms before
        // to 20 ms after) when it has one, else at a random moment of the storm.
        let redisNow = try cluster.now()
        let clockNow = ContinuousClock.now
        let stormStart = clockNow + .milliseconds(300)
        var items: [RequestStorm.Item] = []
        var lastMoment = stormStart
        for flow in flows {
            guard let gate = parked[flow.id] else { continue }
            let moment: ContinuousClock.Instant
            if Self.variants[flow.variant].timeout < 3600, let deadline = gate.deadline {
                moment = clockNow + .milliseconds(deadline - redisNow) + .milliseconds(Int64.random(in: -200...20, using: &random))
            } else {
                moment = stormStart + .milliseconds(Int64.random(in: 0...8000, using: &random))
            }
            lastMoment = max(lastMoment, moment)
            let mint = GateSecret.mintingKey(secret: gate.secret)
            for who in Self.approvers + [Self.rejecter] {
                let links = ResumeLinks(publicURL: "", gate: gate.id.rawValue, subject: .named(who), mintingKey: mint)
                let target = who == Self.rejecter ? links.cancel : links.resume
                let body = Array((who == Self.rejecter ? #"{"reason": "chaos"}"# : "{}").utf8)
                items.append(
                    RequestStorm.Item(
                        key: "\(gate.id.rawValue) \(who)",
                        bytes: RawHTTP.request("POST", target, headers: [("Content-Type", "application/json")], body: body),
                        notBefore: moment, abandonFirst: Int.random(in: 0..<4, using: &random) == 0))
            }
        }
        let storm = RequestStorm(port: port, items: items, threads: 12)
        storm.start()
        // While it runs: SIGKILL the resumer three times and a worker twice, restarting each.
        var killedWorkers: Set<String> = []
        var resumerKills = 0
        var resumerNumber = 1
        for round in 0..<5 {
            Thread.sleep(forTimeInterval: Double.random(in: 0.8...2.0, using: &random))
            if round % 2 == 0 || round == 4 {
                cluster.kill("resumer-\(resumerNumber)")
                resumerKills += 1
                Thread.sleep(forTimeInterval: Double.random(in: 0.1...0.5, using: &random))
                resumerNumber += 1
                try cluster.start("resumer-\(resumerNumber)", executable: "resumer", resumerArguments)
            } else if let victim = cluster.running("worker").randomElement(using: &random) {
                cluster.kill(victim)
                killedWorkers.insert(victim)
                try cluster.startWorker(cluster.nextName("worker"), workerArguments)
            }
        }
        while !storm.isDone { Thread.sleep(forTimeInterval: 0.1) }
        report.figure("resumer SIGKILLs (and restarts)", resumerKills)
        report.figure("worker SIGKILLs (and restarts)", killedWorkers.count)

        let ids = flows.map(\.id)
        let deadline = ContinuousClock.now + .seconds(60)
        while try Progress.unfinished(ids, keys: cluster.keys, on: connection) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        try audit(
            flows: flows, parked: parked, outcomes: storm.outcomes, events: recorder.events, killed: killedWorkers, cluster: cluster,
            report: &report)
        return report
    }

    private func audit(
        flows: [(id: JobID, variant: Int)], parked: [JobID: GateRecord], outcomes: [String: RequestStorm.Outcome], events: [RunEvent],
        killed: Set<String>, cluster: ChaosCluster, report: inout ScenarioReport
    ) throws {
        let connection = try cluster.connect()
        let store = JobStore(keys: cluster.keys)
        let gates = GateStore(keys: cluster.keys)
        let flowStore = FlowStore(keys: cluster.keys)
        let flowEvents = try Progress.flowEvents(keys: cluster.keys, on: connection)
        let starts = Dictionary(grouping: events.filter { $0.kind == .start }, by: \.job)
        var closedBy: [String: Int] = [:]
        var statuses: [String: Int] = [:]
        var retried = 0
        var countedOnRetry = 0
        for flow in flows {
            guard let parkedGate = parked[flow.id], let gate = try gates.gate(parkedGate.id, on: connection) else { continue }
            let variant = Self.variants[flow.variant]
            closedBy[gate.state.rawValue, default: 0] += 1
            let label = "flow \(flow.id) (gate \(gate.state.rawValue))"
            if ![GateState.approved, .rejected, .timedOut].contains(gate.state) { report.problem("\(label): the gate did not close") }
            if flowEvents[flow.id.rawValue, default: 0] != 1 {
                report.problem("\(label): \(flowEvents[flow.id.rawValue, default: 0]) flow events, expected exactly 1")
            }
            let approvers = gate.approvals.map(\.approver)
            let rejecters = gate.rejections.map(\.approver)
            if gate.state == .approved, approvers.count != 2 { report.problem("\(label): approved with \(approvers.count) approvals") }
            if gate.state != .approved, approvers.count > 1 { report.problem("\(label): \(approvers.count) approvals but not approved") }
            // What each approver finally heard must match what the gate recorded.
            for who in Self.approvers + [Self.rejecter] {
                guard let outcome = outcomes["\(gate.id.rawValue) \(who)"] else {
                    report.problem("\(label): \(who)'s request never got an answer")
                    continue
                }
                statuses[String(outcome.status), default: 0] += 1
                let recorded = who == Self.rejecter ? rejecters.contains(who) : approvers.contains(who)
                let status = (try? JSONValue(parsing: outcome.body))?["status"]?.stringValue ?? ""
                if outcome.attempts > 1 {
                    retried += 1
                    if status == "already_counted" { countedOnRetry += 1 }
                }
                switch (outcome.status, recorded) {
                case (200, true), (202, true): break
                case (410, false): break
                default: report.problem("\(label): \(who) got \(outcome.status) \(status) but the gate has \(recorded ? "" : "not ")recorded them")
                }
            }
            // What came after the gate.
            let job = try store.job(flow.id, on: connection)
            let steps = try flowStore.steps(of: flow.id, on: connection).compactMap { try store.job($0, on: connection) }
            let goesOn = gate.state == .approved || variant.continues
            let expectedState: JobState = goesOn ? .success : .canceled
            if job?.state != expectedState {
                report.problem("\(label): flow ended \(job?.state.rawValue ?? "missing"), expected \(expectedState.rawValue)")
            }
            let modules = steps.map { $0.moduleID ?? "?" }
            if modules != (goesOn ? ["ask", "after"] : ["ask"]) { report.problem("\(label): steps \(modules)") }
            if goesOn, let after = steps.last, after.moduleID == "after" {
                let expected: JSONValue =
                    switch gate.state {
                    case .approved: .string(approvers.joined(separator: "+"))
                    case .rejected: "SuspendedDisapproved"
                    default: "SuspendedTimedOut"
                    }
                if after.result != expected {
                    report.problem("\(label): the next step saw \(after.result?.jsonText ?? "nothing"), expected \(expected.jsonText)")
                }
                let runs = starts[after.id.rawValue] ?? []
                if runs.isEmpty { report.problem("\(label): the next step never ran") }
                if runs.count > 1, !(after.extra["lost_by"].map { killed.contains($0) } ?? false) {
                    report.problem("\(label): the next step ran \(runs.count) times with no kill to explain it")
                }
            }
        }
        report.figure("gates closed, by outcome", closedBy.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        report.figure("final answers by status", statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        report.figure("requests retried (the resumer died under them, or the client hung up before the answer)", retried)
        report.figure("of those, answered 200 already_counted (the first attempt had been applied)", countedOnRetry)
    }

    static func gateFlow(_ variant: (timeout: Int, continues: Bool), workload: ChaosWorkload) -> String {
        let script = workload.bashScript(parameters: ["ms", "why"], result: #""$why""#)
        let content = script.split(separator: "\n", omittingEmptySubsequences: false).map { "          " + $0 }.joined(separator: "\n")
        return """
            summary: chaos gate
            value:
              modules:
                - id: ask
                  value: {type: identity}
                  suspend: {required_events: 2, timeout: \(variant.timeout), continue_on_disapprove_timeout: \(variant.continues)}
                - id: after
                  value:
                    type: rawscript
                    language: bash
                    content: |
            \(content)
                    input_transforms:
                      ms: {type: static, value: 0}
                      why: {type: javascript, expr: 'resume?.error?.name ?? approvers.join("+")'}

            """
    }
}

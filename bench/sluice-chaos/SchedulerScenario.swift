import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore

/// Scenario 4: two schedulers at once, each SIGKILLed once and restarted while delayed jobs and
/// gate deadlines come due. Each delayed job runs exactly once; each gate times out exactly once
/// (one flow event, one next step: its flows continue on timeout).
struct SchedulerScenario {
    let scale: ChaosScale
    let binaries: String
    let directory: URL

    func run(random: inout ChaosRandom) throws -> ScenarioReport {
        var report = ScenarioReport(
            name: "4-schedulers", title: "two schedulers, each SIGKILLed and restarted while delayed jobs and gate deadlines come due")
        let cluster = try ChaosCluster(binaries: binaries, directory: directory)
        defer { cluster.stopAll() }
        let recorder = try RunRecorder(directory: directory)
        defer { recorder.stop() }
        let workload = try ChaosWorkload(cluster: cluster, recorderPort: recorder.port)
        let connection = try cluster.connect()
        let engine = FlowEngine(flows: FlowStore(keys: cluster.keys))
        // Gates that time out after 3, 5 or 7 s and let their flow go on to a step that reports its run.
        let timeouts = [3, 5, 7]
        for timeout in timeouts {
            guard let path = ScriptPath("f/chaos/deadline\(timeout)") else { throw ChaosFailure("bad path") }
            _ = try engine.push(path: path, text: Self.deadlineFlow(timeout: timeout, workload: workload), on: connection)
        }
        for index in 0..<2 { try cluster.start("scheduler-\(index + 1)", executable: "scheduler", []) }
        for _ in 0..<2 { try cluster.startWorker(cluster.nextName("worker"), ["--concurrency", "4", "--lease", "10"]) }

        let now = try cluster.now()
        let delayed = (0..<scale.delayedJobs).map { _ in
            workload.scriptJob(python: false, ms: 0, runAt: now + Int64.random(in: 2000...9000, using: &random))
        }
        try workload.enqueue(delayed)
        var flows: [JobID] = []
        for index in 0..<scale.deadlineGates {
            let id = JobID.generate()
            try engine.start(
                FlowEngine.Start(
                    id: id, path: "f/chaos/deadline\(timeouts[index % timeouts.count])", input: [:], maxDeliveries: workload.maxDeliveries),
                on: connection)
            flows.append(id)
        }
        // Each scheduler dies once, the second after the first is back: one is always running.
        for name in ["scheduler-1", "scheduler-2"] {
            Thread.sleep(forTimeInterval: Double.random(in: 1.5...3, using: &random))
            cluster.kill(name)
            Thread.sleep(forTimeInterval: Double.random(in: 0.5...1.5, using: &random))
            try cluster.start(name, executable: "scheduler", [])
        }
        report.figure("schedulers SIGKILLed and restarted", 2)

        let ids = delayed.map(\.id) + flows
        let deadline = ContinuousClock.now + .seconds(60)
        while try Progress.unfinished(ids, keys: cluster.keys, on: connection) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        var audit = JobAudit(events: recorder.events, keys: cluster.keys)
        try audit.scripts(delayed.map { ($0.id, .number(0)) }, on: connection, duplicateAllowed: { _, _ in false })
        report.merge(audit)
        let store = JobStore(keys: cluster.keys)
        var lateness: [Double] = []
        for request in delayed {
            if let job = try store.job(request.id, on: connection), let started = job.startedAt, let due = job.scheduledFor {
                lateness.append(Double(started - due))
            }
        }
        report.figure("delayed jobs: started − due (Redis clock)", Percentiles(lateness).text(unit: "ms"))
        try checkGates(flows, cluster: cluster, events: recorder.events, report: &report, on: connection)
        return report
    }

    /// Each gate timed out once: one flow event, the `after` step created once and run, the flow
    /// finished with the timeout's error name as its result.
    private func checkGates(_ flows: [JobID], cluster: ChaosCluster, events: [RunEvent], report: inout ScenarioReport, on connection: RedisConnection)
        throws
    {
        let store = JobStore(keys: cluster.keys)
        let gates = GateStore(keys: cluster.keys)
        let flowStore = FlowStore(keys: cluster.keys)
        let flowEvents = try Progress.flowEvents(keys: cluster.keys, on: connection)
        let runs = Dictionary(grouping: events.filter { $0.kind == .start }, by: \.job).mapValues(\.count)
        var timedOut = 0
        var lateness: [Double] = []
        for flow in flows {
            let gate = try gates.gates(ofFlow: flow, on: connection).first
            if gate?.state == .timedOut {
                timedOut += 1
            } else {
                report.problem("flow \(flow): gate \(gate?.state.rawValue ?? "missing"), expected timed_out")
            }
            if let closed = gate?.closedAt, let due = gate?.deadline { lateness.append(Double(closed - due)) }
            let events = flowEvents[flow.rawValue, default: 0]
            if events != 1 { report.problem("flow \(flow): \(events) flow events, expected exactly 1") }
            let steps = try flowStore.steps(of: flow, on: connection).compactMap { try store.job($0, on: connection) }
            if steps.map({ $0.moduleID ?? "?" }) != ["ask", "after"] {
                report.problem("flow \(flow): steps \(steps.map { $0.moduleID ?? "?" }), expected [ask, after]")
            } else if let after = steps.last, runs[after.id.rawValue, default: 0] != 1 {
                report.problem("flow \(flow): the step after the gate ran \(runs[after.id.rawValue, default: 0]) times")
            }
            let job = try store.job(flow, on: connection)
            if job?.state != .success || job?.result != "SuspendedTimedOut" {
                report.problem("flow \(flow) ended \(job?.state.rawValue ?? "missing") with \(job?.result?.jsonText ?? job?.error ?? "nothing")")
            }
        }
        report.figure("gates timed out exactly once (of \(flows.count))", timedOut)
        report.figure("gate deadlines: closed − deadline (Redis clock)", Percentiles(lateness).text(unit: "ms"))
    }

    /// A gate on an identity step that times out after `timeout` s and continues to a bash step
    /// that reports its run and returns the timeout's error name.
    static func deadlineFlow(timeout: Int, workload: ChaosWorkload) -> String {
        let script = workload.bashScript(parameters: ["ms", "why"], result: #""$why""#)
        let content = script.split(separator: "\n", omittingEmptySubsequences: false).map { "          " + $0 }.joined(separator: "\n")
        return """
            summary: chaos gate deadline \(timeout) s
            value:
              modules:
                - id: ask
                  value: {type: identity}
                  suspend: {required_events: 1, timeout: \(timeout), continue_on_disapprove_timeout: true}
                - id: after
                  value:
                    type: rawscript
                    language: bash
                    content: |
            \(content)
                    input_transforms:
                      ms: {type: static, value: 0}
                      why: {type: javascript, expr: 'resume?.error?.name'}

            """
    }
}

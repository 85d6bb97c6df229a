import SluiceCore
import SluiceRedis
import SluiceStore

/// The end-of-scenario check of EVERY job a scenario created: its final state, its result, how
/// many times its script ran (from the ``RunRecorder``), and for flows that each step ran once in
/// order and each outcome was applied once. Counts go to ``figures``; anything wrong to ``problems``.
struct JobAudit {
    private(set) var figures: [(String, String)] = []
    private(set) var problems: [String] = []
    /// Jobs and steps whose script ran more than once, over every call so far.
    private(set) var ranTwice = 0

    /// Why a job may have run more than once (at-least-once: its worker was killed, it was handed
    /// back); a duplicate run without a reason is a problem.
    typealias DuplicateReason = (JobRecord, [RunEvent]) -> Bool

    private let starts: [String: [RunEvent]]
    private let ends: [String: [RunEvent]]
    private let store: JobStore
    private let flows: FlowStore

    init(events: [RunEvent], keys: KeySpace) {
        starts = Dictionary(grouping: events.filter { $0.kind == .start }, by: \.job)
        ends = Dictionary(grouping: events.filter { $0.kind == .end }, by: \.job)
        store = JobStore(keys: keys)
        flows = FlowStore(keys: keys)
    }

    /// What the script jobs `jobs` (id, expected result) came to.
    mutating func scripts(_ jobs: [(id: JobID, result: JSONValue)], on connection: RedisConnection, duplicateAllowed: DuplicateReason) throws {
        var tally = Tally()
        for (id, expected) in jobs {
            guard let job = try store.job(id, on: connection) else {
                tally.lost += 1
                problems.append("job \(id) was queued but is gone from Redis")
                continue
            }
            check(job, expected: expected, label: "job", tally: &tally, duplicateAllowed: duplicateAllowed)
        }
        figures += tally.figures(of: "script jobs", count: jobs.count)
        ranTwice += tally.ranTwice
    }

    /// What the three-step flows `runs` (id, input n) came to: result n + 3, steps a, b, c once
    /// each, in order, each started only after the one before had ended.
    mutating func flows(_ runs: [(id: JobID, n: Int)], on connection: RedisConnection, duplicateAllowed: DuplicateReason) throws {
        var flowTally = Tally()
        var stepTally = Tally()
        for (id, n) in runs {
            guard let flow = try store.job(id, on: connection) else {
                flowTally.lost += 1
                problems.append("flow \(id) is gone from Redis")
                continue
            }
            guard flow.state == .success else {
                if flow.state.isFinal { flowTally.failed += 1 } else { flowTally.lost += 1 }
                problems.append("flow \(id) ended \(flow.state.rawValue): \(flow.error ?? "no error")")
                continue
            }
            if flow.result != .number(Double(n + 3)) {
                problems.append(
                    "flow \(id) result \(flow.result?.jsonText ?? "none"), expected \(n + 3): a step's outcome was skipped or applied twice")
            }
            let steps = try flows.steps(of: id, on: connection).compactMap { try store.job($0, on: connection) }
            let modules = steps.map { $0.moduleID ?? "?" }
            guard modules == ["a", "b", "c"] else {
                problems.append("flow \(id) has steps \(modules), expected [a, b, c] once each")
                continue
            }
            flowTally.succeeded += 1
            for (index, step) in steps.enumerated() {
                check(
                    step, expected: .number(Double(n + index + 1)), label: "step \(modules[index]) of flow \(id)", tally: &stepTally,
                    duplicateAllowed: duplicateAllowed)
                guard index > 0 else { continue }
                let previous = steps[index - 1]
                let applied = ends[previous.id.rawValue]?.first { $0.delivery == previous.deliveries }
                let firstStart = starts[step.id.rawValue]?.map(\.sequence).min()
                if let applied, let firstStart, firstStart < applied.sequence {
                    problems.append("flow \(id): step \(modules[index]) started before step \(modules[index - 1]) had ended")
                }
            }
        }
        figures += flowTally.figures(of: "flows", count: runs.count, runs: false)
        figures += stepTally.figures(of: "flow steps", count: runs.count * 3)
        ranTwice += stepTally.ranTwice
    }

    private struct Tally {
        var succeeded = 0
        var failed = 0
        var lost = 0
        var ranTwice = 0
        var extraRuns = 0

        func figures(of what: String, count: Int, runs: Bool = true) -> [(String, String)] {
            var figures = [
                ("\(what) created", String(count)), ("\(what) succeeded", String(succeeded)), ("\(what) failed", String(failed)),
                ("\(what) lost (gone, or not finished in time)", String(lost)),
            ]
            if runs { figures.append(("\(what) whose script ran more than once", "\(ranTwice) (\(extraRuns) extra runs)")) }
            return figures
        }
    }

    private mutating func check(_ job: JobRecord, expected: JSONValue, label: String, tally: inout Tally, duplicateAllowed: DuplicateReason) {
        let id = job.id.rawValue
        let runs = starts[id] ?? []
        if runs.count > 1 {
            tally.ranTwice += 1
            tally.extraRuns += runs.count - 1
            if !duplicateAllowed(job, runs) {
                let ended = Set((ends[id] ?? []).map { "\($0.worker) \($0.delivery)" })
                let described = runs.map { "\($0.worker)/\($0.delivery)\(ended.contains("\($0.worker) \($0.delivery)") ? " ended" : "")" }
                problems.append(
                    "\(label) \(id) (\(job.language?.rawValue ?? job.kind.rawValue)) ran \(runs.count) times (deliveries \(job.deliveries); runs: \(described.joined(separator: ", "))) "
                        + "with no kill or hand-back to explain it")
            }
        }
        guard job.state == .success else {
            if job.state.isFinal { tally.failed += 1 } else { tally.lost += 1 }
            problems.append("\(label) ended \(job.state.rawValue): \(job.error ?? "no error") (\(runs.count) runs, deliveries \(job.deliveries))")
            return
        }
        tally.succeeded += 1
        if job.result != expected { problems.append("\(label) result \(job.result?.jsonText ?? "none"), expected \(expected.jsonText)") }
        if runs.isEmpty { problems.append("\(label) succeeded but its script never reported a run") }
        if ends[id]?.contains(where: { $0.delivery == job.deliveries }) != true {
            problems.append("\(label) succeeded, but no run of its delivery \(job.deliveries) reached its end")
        }
    }
}

import ArgumentParser
import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceRuntime
import SluiceStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Drives the approval benchmarks' flows: an identity step behind a gate, then an identity step;
/// started, parked and approved over HTTP as an approver's link would.
struct GatedFlowDriver {
    let keys: KeySpace
    let connection: RedisConnection
    /// The resumer's base URL.
    let publicURL: String

    var flows: FlowStore { FlowStore(keys: keys) }
    var gates: GateStore { GateStore(keys: keys) }
    var jobs: JobStore { JobStore(keys: keys) }

    /// Pushes the gated flow as `f/bench/<name>` with a gate `timeout` in seconds.
    func push(_ name: String, timeout: Int) throws -> StoredFlow {
        let yaml = """
            value:
              modules:
                - id: ask
                  value: {type: identity}
                  suspend: {required_events: 1, timeout: \(timeout)}
                - id: done
                  value: {type: identity}
            """
        guard let path = ScriptPath("f/bench/\(name)") else { throw CleanExit.message("bad path") }
        _ = try FlowEngine(flows: flows).push(path: path, text: yaml, on: connection)
        guard let stored = try flows.flow(at: path.rawValue, on: connection) else { throw CleanExit.message("flow missing") }
        return stored
    }

    func start(_ flow: StoredFlow) throws -> JobID {
        let id = JobID.generate()
        try FlowEngine(flows: flows).start(FlowEngine.Start(id: id, path: flow.path, input: ["n": 1]), version: flow, on: connection)
        return id
    }

    /// The gate of flow `id`, once it has parked there.
    func parkedGate(_ id: JobID) async throws -> GateRecord {
        while true {
            if let job = try jobs.job(id, on: connection), job.state == .suspended, let gate = job.extra["gate"].flatMap(JobID.init),
                let record = try gates.gate(gate, on: connection)
            {
                return record
            }
            try await Task.sleep(for: .microseconds(200))
        }
    }

    /// Approves `gate` over HTTP as the named approver `bench`; returns the answer's status.
    func approve(_ gate: GateRecord) async throws -> Int {
        let link = ResumeLinks(
            publicURL: publicURL, gate: gate.id.rawValue, subject: .named("bench"), mintingKey: GateSecret.mintingKey(secret: gate.secret))
        var request = URLRequest(url: URL(string: link.resume) ?? URL(fileURLWithPath: "/"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("{}".utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

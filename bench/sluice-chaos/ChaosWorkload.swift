import Foundation
import SluiceCore
import SluiceRedis
import SluiceRuntime
import SluiceStore

/// What a scenario runs: a bash and a Python script that report their runs to the
/// ``RunRecorder`` and sleep for their `ms` argument, and a three-step flow (bash, Python, bash)
/// whose steps do the same and each add one to the previous step's result — so a flow's result
/// is its input plus 3 only if every step's outcome was applied once, in order.
struct ChaosWorkload {
    let cluster: ChaosCluster
    let recorderPort: Int
    /// Deliveries allowed per job: a job in flight at several kills in a row must not fail for it.
    let maxDeliveries = 20
    var bash: (path: String, hash: String) = ("", "")
    var python: (path: String, hash: String) = ("", "")
    let flowPath = "f/chaos/three_steps"

    init(cluster: ChaosCluster, recorderPort: Int) throws {
        self.cluster = cluster
        self.recorderPort = recorderPort
        let scripts = ScriptStore(keys: cluster.keys)
        let engine = FlowEngine(flows: FlowStore(keys: cluster.keys))
        let connection = try cluster.connect()
        guard let bashPath = ScriptPath("f/chaos/bash"), let pythonPath = ScriptPath("f/chaos/python"), let flow = ScriptPath(flowPath) else {
            throw ChaosFailure("bad script path")
        }
        bash = (bashPath.rawValue, try scripts.push(path: bashPath, language: .bash, content: bashScript(result: #""$ms""#), on: connection).0)
        python = (pythonPath.rawValue, try scripts.push(path: pythonPath, language: .python3, content: pythonScript(), on: connection).0)
        _ = try engine.push(path: flow, text: flowDocument(), on: connection)
    }

    /// A bash script with `parameters` (`ms` among them: how long it sleeps) that reports its start
    /// and end and prints `result`.
    func bashScript(parameters: [String] = ["ms"], result: String) -> String {
        let declarations = parameters.enumerated().map { "\($0.element)=\"$\($0.offset + 1)\"" }.joined(separator: "\n")
        return """
            \(declarations)
            report() { printf '%s %s %s %s\\n' "$1" "$SLUICE_JOB_ID" "$SLUICE_DELIVERY" "$SLUICE_WORKER" > /dev/tcp/127.0.0.1/\(recorderPort) || exit 3; }
            report start
            if [ "$ms" -gt 0 ]; then sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"; fi
            report end
            echo \(result)

            """
    }

    /// The Python script: `main(ms)`, or `main(n, ms)` returning `n + 1` when `counting`.
    func pythonScript(counting: Bool = false) -> String {
        """
        import os
        import socket
        import time


        def report(kind):
            with socket.create_connection(("127.0.0.1", \(recorderPort)), timeout=30) as connection:
                connection.sendall(f"{kind} {os.environ['SLUICE_JOB_ID']} {os.environ['SLUICE_DELIVERY']} {os.environ['SLUICE_WORKER']}\\n".encode())


        def main(\(counting ? "n: int, " : "")ms: int):
            report("start")
            time.sleep(ms / 1000)
            report("end")
            return \(counting ? "n + 1" : "ms")

        """
    }

    /// The three-step flow: a (bash) → b (Python) → c (bash), each `n + 1` of the one before.
    func flowDocument() -> String {
        func indented(_ text: String) -> String {
            text.split(separator: "\n", omittingEmptySubsequences: false).map { "          " + $0 }.joined(separator: "\n")
        }
        func step(_ id: String, _ language: String, _ content: String, n: String) -> String {
            """
                - id: \(id)
                  value:
                    type: rawscript
                    language: \(language)
                    content: |
            \(indented(content))
                    input_transforms:
                      n: {type: javascript, expr: '\(n)'}
                      ms: {type: javascript, expr: flow_input.ms}

            """
        }
        let bashStep = bashScript(parameters: ["n", "ms"], result: "$((n + 1))")
        return "summary: chaos three steps\nvalue:\n  modules:\n"
            + step("a", "bash", bashStep, n: "flow_input.n") + step("b", "python3", pythonScript(counting: true), n: "results.a")
            + step("c", "bash", bashStep, n: "results.b")
    }

    /// A script job request: bash or Python, sleeping `ms`, optionally run at `runAt` (Redis ms).
    func scriptJob(python usePython: Bool, ms: Int, runAt: Int64? = nil) -> EnqueueRequest {
        let script = usePython ? python : bash
        return EnqueueRequest(
            id: JobID.generate(), kind: .script, arguments: ["ms": .number(Double(ms))],
            path: script.path, scriptHash: script.hash, language: usePython ? .python3 : .bash, runAt: runAt, maxDeliveries: maxDeliveries)
    }

    /// Queues `requests` (pipelined, in batches); an id found already there (a retry after Redis
    /// went away mid-batch) counts as queued.
    func enqueue(_ requests: [EnqueueRequest]) throws {
        let store = JobStore(keys: cluster.keys)
        for start in stride(from: 0, to: requests.count, by: 500) {
            let batch = Array(requests[start..<min(requests.count, start + 500)])
            try cluster.withRedis { connection in
                for result in try store.enqueue(batch, on: connection) {
                    if case .failure(let error) = result, !"\(error)".contains("EXISTS") { throw error }
                }
            }
        }
    }

    /// Starts a three-step flow with input `n` and step duration `ms`.
    func startFlow(n: Int, ms: Int, on connection: RedisConnection) throws -> JobID {
        let engine = FlowEngine(flows: FlowStore(keys: cluster.keys))
        let id = JobID.generate()
        try engine.start(
            FlowEngine.Start(id: id, path: flowPath, input: ["n": .number(Double(n)), "ms": .number(Double(ms))], maxDeliveries: maxDeliveries),
            on: connection)
        return id
    }
}

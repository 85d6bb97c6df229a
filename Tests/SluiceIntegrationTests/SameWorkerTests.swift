import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// `same_worker: true` as Windmill has it: the steps of a run stay on the worker that ran its first
/// step and share the run's `./shared` folder there; the folder goes when the run ends; a worker
/// that leaves hands its pinned runs on.
@Suite("same_worker flows", .serialized)
struct SameWorkerTests {
    let server: RedisServer

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    static let flow = """
        value:
          same_worker: true
          modules:
            - id: write
              value:
                type: rawscript
                language: bash
                content: |
                  n="$1"
                  echo "n=$n" > ./shared/note.txt
                  echo written
                input_transforms:
                  n: {type: javascript, expr: flow_input.n}
            - id: read_python
              value:
                type: rawscript
                language: python3
                content: |
                  def main():
                      with open("./shared/note.txt") as f:
                          text = f.read().strip()
                      with open("./shared/note.txt", "a") as f:
                          f.write("python was here\\n")
                      return text
            - id: read_deno
              value:
                type: rawscript
                language: deno
                content: |
                  export async function main() {
                    return (await Deno.readTextFile("./shared/note.txt")).trim().split("\\n");
                  }
        """

    @Test("every step of a run sees the files the steps before it left in ./shared, on one worker of two; the folder goes with the run")
    func sharedFolder() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let runner = ScriptRunner(settings: ScriptRunnerSettings())
        try await harness.withWorker(harness.settings(id: "worker-a", lease: .milliseconds(600)), runner: runner) { _ in
            try await harness.withWorker(harness.settings(id: "worker-b", lease: .milliseconds(600))) { _ in
                var runs: [JobID] = []
                for n in 0..<6 { runs.append(try harness.startFlow(Self.flow, input: ["n": .number(Double(n))], path: "f/sw/notes")) }
                for (n, id) in runs.enumerated() {
                    let flow = try await harness.finished(id)
                    #expect(flow.state == .success, "\(flow.error ?? "")")
                    #expect(flow.result == [.string("n=\(n)"), "python was here"])
                    let workers = Set(try harness.steps(of: id).compactMap(\.worker))
                    #expect(workers.count == 1, "run \(n) ran on \(workers)")
                }
                // The folders of ended runs are removed within a few heartbeats.
                var left = runner.sharedFlowRuns
                for _ in 0..<100 where !left.isEmpty {
                    try await Task.sleep(for: .milliseconds(100))
                    left = runner.sharedFlowRuns
                }
                #expect(left.isEmpty, "still there: \(left)")
            }
        }
    }

    @Test("a pinned worker that leaves hands its run on: the next step goes to another worker (with an empty ./shared, as in Windmill)")
    func pinnedWorkerLeaves() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let gated = """
            value:
              same_worker: true
              modules:
                - id: write
                  value: {type: rawscript, language: bash, content: 'echo x > ./shared/x.txt; echo ok'}
                  suspend: {required_events: 1, timeout: 600}
                - id: read
                  value: {type: rawscript, language: bash, content: 'cat ./shared/x.txt 2>/dev/null || echo missing'}
            """
        let connection = try server.connect()
        let id = try harness.startFlow(gated, path: "f/sw/gated")
        try await harness.withWorker(harness.settings(id: "worker-a")) { _ in
            for _ in 0..<500 where try harness.store.job(id, on: connection)?.state != .suspended {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(try connection.send("HGET", .string(harness.store.keys.job(id)), "pinned_worker").string == "worker-a")
        // worker-a has left (its graceful stop deregistered it); the gate is approved.
        let gate = try #require(try GateStore(keys: harness.store.keys).gates(ofFlow: id, on: connection).first)
        _ = try GateStore(keys: harness.store.keys).record(
            gate: gate.id, subject: .named("alice"), reject: false, payload: [:], reason: nil, channel: .operator, on: connection)
        try await harness.withWorker(harness.settings(id: "worker-b")) { _ in
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result == "missing")
            #expect(try harness.steps(of: id).last?.worker == "worker-b")
        }
        #expect(try connection.send("HGET", .string(harness.store.keys.job(id)), "pinned_worker").string == "worker-b")
    }
}

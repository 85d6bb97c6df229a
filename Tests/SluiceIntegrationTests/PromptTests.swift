import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// `sluice run --wait` in a real terminal (tmux): a flow that parks at a gate its runner may answer
/// asks in the terminal, and the answer goes through the gate's rules (Windmill's prompts).
@Suite("Prompts for the runner, in a real terminal", .serialized, .tags(.processes))
struct PromptTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let flow = """
        summary: Restart with a prompt
        value:
          modules:
            - id: ask
              summary: Confirm the restart
              value:
                type: rawscript
                language: python3
                content: |
                  def main(service: str):
                      return {"description": f"Restart **{service}** now?", "default_args": {"note": "restart " + service},
                              "enums": {"window": ["now", "tonight"]}}
                input_transforms:
                  service: {type: javascript, expr: flow_input.service}
              suspend:
                required_events: 1
                timeout: 600
                resume_form:
                  schema:
                    type: object
                    properties:
                      window: {type: string, description: When to restart}
                      note: {type: string}
                      replicas: {type: integer, default: 2}
                    required: [window]
            - id: done
              value:
                type: rawscript
                language: bash
                content: |
                  payload="$1"
                  echo "$payload"
                input_transforms:
                  payload: {type: javascript, expr: JSON.stringify(resume)}
        """

    private func prepare(_ flow: String = Self.flow, keys: KeySpace = KeySpace.unique()) async throws -> (
        keys: KeySpace, env: [String: String], path: String
    ) {
        let env = server.sluiceEnvironment(prefix: keys.prefix)
        let path = "f/test/prompt"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("prompt-\(UUID().uuidString).yaml")
        try flow.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let pushed = try await runCommand("sluice", ["flow", "push", path, file.path], environment: env)
        guard pushed.status == 0 else { throw TestFailure("push failed: \(pushed.stderr)") }
        return (keys, env, path)
    }

    private func command(_ env: [String: String], _ arguments: String) -> String {
        let exports = env.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        // `trap : INT`: Ctrl-C ends sluice (a handler is not inherited), not the shell that reports how it ended.
        return "trap : INT; env \(exports) \(Executables.path("sluice")) \(arguments); echo \"EXIT=$?\"; sleep 60"
    }

    @Test("the runner sees the step's description, dynamic enums and defaults, answers, and the flow finishes with that payload")
    func answerInTmuxTerminal() async throws {
        let (keys, env, path) = try await prepare()
        let worker = try ChildProcess("worker", ["--concurrency", "2"], environment: env)
        let terminal = try TmuxTerminal(command(env, "run \(path) -a service=api --as alice --wait"))
        try await terminal.waitFor("Restart **api** now?")
        try await terminal.waitFor("window (string, one of 1) now 2) tonight, required): ")
        try terminal.type("3", "Enter")
        try await terminal.waitFor("choose one of 1 to 2")
        try terminal.type("2", "Enter")
        try await terminal.waitFor("note (string) [restart api]: ")
        try terminal.type("Enter")
        try await terminal.waitFor("replicas (integer) [2]: ")
        try terminal.type("three", "Enter")
        try await terminal.waitFor("expected a number")
        try terminal.type("3", "Enter")
        try await terminal.waitFor("[A]pprove, [r]eject or [s]kip? ")
        try terminal.type("a", "Enter")
        try await terminal.waitFor("EXIT=0")
        let screen = terminal.screen()
        #expect(screen.contains("The gate is approved; the flow moves on."), "\(screen)")
        #expect(screen.contains(#"{"window":"tonight","note":"restart api","replicas":3}"#), "\(screen)")
        #expect(screen.contains("Restart **api** now?"))
        let connection = try server.connect()
        let store = JobStore(keys: keys)
        let finished = try connection.send(["ZRANGE", .string(keys.finished("default")), "0", "-1"]).array?.compactMap(\.string) ?? []
        let jobs = try finished.compactMap { try JobID($0).flatMap { try store.job($0, on: connection) } }
        let flow = try #require(jobs.first { $0.kind == .flow })
        #expect(flow.state == .success)
        let gate = try #require(try GateStore(keys: keys).gates(ofFlow: flow.id, on: connection).first)
        #expect(gate.approvals.map(\.approver) == ["alice"])
        #expect(gate.approvals.first?.via == "prompt")
        _ = worker
    }

    @Test("Ctrl-C at the prompt leaves the flow parked with its gate open; --no-prompt and a runner the gate refuses are not asked")
    func interruptAndRefusedRunner() async throws {
        let (keys, env, path) = try await prepare()
        let worker = try ChildProcess("worker", ["--concurrency", "2"], environment: env)
        let terminal = try TmuxTerminal(command(env, "run \(path) -a service=db --as bob --wait"))
        try await terminal.waitFor("(Ctrl-C leaves the flow parked; its links stay valid.)")
        try await terminal.waitFor("window (string")
        try terminal.type("C-c")
        try await terminal.waitFor("EXIT=")
        let connection = try server.connect()
        let gates = try GateStore(keys: keys).openGates(on: connection)
        #expect(gates.count == 1)
        #expect(gates.first?.state == .open)
        #expect(gates.first?.approvals.isEmpty == true)
        let flowID = try #require(gates.first?.flowID)
        let flow = try #require(try JobStore(keys: keys).job(flowID, on: connection))
        #expect(flow.state == .suspended)
        // --no-prompt: no question, the wait just times out.
        let quiet = try TmuxTerminal(command(env, "run \(path) -a service=db --as bob --wait --no-prompt --timeout 3"))
        try await quiet.waitFor("EXIT=2", timeout: .seconds(20))
        #expect(!quiet.screen().contains("window (string"))
        // The runner may not approve their own flow here: not asked, whatever the terminal.
        let selfApproval = Self.flow.replacingOccurrences(of: "required_events: 1", with: "required_events: 1\n        self_approval_disabled: true")
        _ = try await prepare(selfApproval, keys: keys)  // a new version at the same path
        let refused = try TmuxTerminal(command(env, "run \(path) -a service=db --as bob --wait --timeout 3"))
        try await refused.waitFor("EXIT=2", timeout: .seconds(20))
        #expect(!refused.screen().contains("window (string"), "\(refused.screen())")
        _ = worker
    }
}

import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// `sluice run --wait` in a real terminal (tmux): a flow that parks at a gate its runner may answer
/// asks in the terminal, and the answer goes through the gate's rules (Windmill's prompts).
@Suite("Prompts for the runner, in a real terminal", .serialized)
struct PromptTests {
    let server: RedisServer

    init() throws {
        server = try RedisServer()
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

    /// A tmux session on its own server (private socket) running one command, torn down after the test.
    final class Terminal {
        let socket = "sluice-test-\(UUID().uuidString.prefix(8))"

        init(_ command: String) throws {
            // The tmux server that `new-session` starts keeps every descriptor it inherits, so
            // Foundation's Process (which watches one for the child's end) would wait forever:
            // spawn it directly and reap it with waitpid.
            let argv = ["/usr/bin/tmux", "-L", socket, "new-session", "-d", "-x", "160", "-y", "50", command]
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            }
            var pointers = argv.map { strdup($0) } + [nil]
            defer { pointers.forEach { free($0) } }
            // Signals the test runner ignores would stay ignored in the terminal: Ctrl-C must work there.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var defaults = sigset_t()
            sigemptyset(&defaults)
            sigaddset(&defaults, SIGINT)
            sigaddset(&defaults, SIGQUIT)
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setsigmask(&attributes, &unblocked)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            var pid: pid_t = 0
            guard posix_spawn(&pid, argv[0], &actions, &attributes, &pointers, environ) == 0 else { throw TestFailure("cannot start tmux") }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            guard status == 0 else { throw TestFailure("tmux did not start (status \(status))") }
        }

        func screen() -> String {
            (try? runProcess("/usr/bin/tmux", ["-L", socket, "capture-pane", "-p", "-J", "-S", "-200"]).stdout) ?? ""
        }

        func type(_ keys: String...) throws {
            _ = try runProcess("/usr/bin/tmux", ["-L", socket, "send-keys"] + keys)
        }

        /// Waits until the screen shows `text`.
        func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if screen().contains(text) { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TestFailure("the terminal never showed '\(text)'; it shows:\n\(screen())")
        }

        deinit {
            _ = try? runProcess("/usr/bin/tmux", ["-L", socket, "kill-server"])
        }
    }

    private func prepare(_ flow: String = Self.flow, keys: KeySpace = uniqueKeys()) throws -> (keys: KeySpace, env: [String: String], path: String) {
        let env = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix, "SLUICE_LOG_LEVEL": "warning"]
        let path = "f/test/prompt"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("prompt-\(UUID().uuidString).yaml")
        try flow.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let pushed = try runCommand("sluice", ["flow", "push", path, file.path], environment: env)
        guard pushed.status == 0 else { throw TestFailure("push failed: \(pushed.stderr)") }
        return (keys, env, path)
    }

    private func command(_ env: [String: String], _ arguments: String) -> String {
        let exports = env.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        // `trap : INT`: Ctrl-C ends sluice (a handler is not inherited), not the shell that reports how it ended.
        return "trap : INT; env \(exports) \(Executables.path("sluice")) \(arguments); echo \"EXIT=$?\"; sleep 60"
    }

    @Test("the runner sees the step's description, dynamic enums and defaults, answers, and the flow finishes with that payload")
    func answerInTerminal() async throws {
        let (keys, env, path) = try prepare()
        let worker = try ChildProcess("worker", ["--concurrency", "2"], environment: env)
        let terminal = try Terminal(command(env, "run \(path) -a service=api --as alice --wait"))
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
        let (keys, env, path) = try prepare()
        let worker = try ChildProcess("worker", ["--concurrency", "2"], environment: env)
        let terminal = try Terminal(command(env, "run \(path) -a service=db --as bob --wait"))
        try await terminal.waitFor("(Ctrl-C leaves the flow parked; its links stay valid.)")
        try await terminal.waitFor("window (string")
        try terminal.type("C-c")
        try await terminal.waitFor("EXIT=")
        let connection = try server.connect()
        let gates = try GateStore(keys: keys).openGates(on: connection)
        #expect(gates.count == 1)
        #expect(gates.first?.state == "open")
        #expect(gates.first?.approvals.isEmpty == true)
        let flowID = try #require(gates.first?.flowID)
        let flow = try #require(try JobStore(keys: keys).job(flowID, on: connection))
        #expect(flow.state == .suspended)
        // --no-prompt: no question, the wait just times out.
        let quiet = try Terminal(command(env, "run \(path) -a service=db --as bob --wait --no-prompt --timeout 3"))
        try await quiet.waitFor("EXIT=2", timeout: .seconds(20))
        #expect(!quiet.screen().contains("window (string"))
        // The runner may not approve their own flow here: not asked, whatever the terminal.
        let selfApproval = Self.flow.replacingOccurrences(of: "required_events: 1", with: "required_events: 1\n        self_approval_disabled: true")
        _ = try prepare(selfApproval, keys: keys)  // a new version at the same path
        let refused = try Terminal(command(env, "run \(path) -a service=db --as bob --wait --timeout 3"))
        try await refused.waitFor("EXIT=2", timeout: .seconds(20))
        #expect(!refused.screen().contains("window (string"), "\(refused.screen())")
        _ = worker
    }
}

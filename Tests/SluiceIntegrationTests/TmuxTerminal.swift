import Foundation

/// A tmux session on its own server (private socket) running one command, torn down after the test.
final class TmuxTerminal {
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

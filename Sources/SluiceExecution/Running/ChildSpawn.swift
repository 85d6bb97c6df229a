import CSluiceLinux
import Glibc

/// Starts a child process with `posix_spawn`: the given descriptors at the given numbers, every
/// other descriptor closed, its own process group, no signal blocked and the usual ones at their
/// defaults (the spawning thread may block SIGCHLD, say). The one place Sluice's long-lived
/// helpers — warm runners, the expression engine — are started.
enum ChildSpawn {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Spawns `executable arguments…` with `environment`; `descriptors` maps each child descriptor
    /// number to the parent's descriptor it is a copy of. Returns the child's pid.
    static func spawn(executable: String, arguments: [String], environment: [String: String], descriptors: [Int32: Int32]) throws(Failure)
        -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (child, parent) in descriptors.sorted(by: { $0.key < $1.key }) { posix_spawn_file_actions_adddup2(&actions, parent, child) }
        c_sluice_spawn_close_from(&actions, max(3, (descriptors.keys.max() ?? 2) + 1))
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGCHLD, SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))") }
        return pid
    }
}

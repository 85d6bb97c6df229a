/// How script processes are confined on a worker.
///
/// With ``Mode-swift.enum/bubblewrap`` (the default), every job runs in its own bubblewrap
/// sandbox: its own PID namespace (it sees only its own processes, and everything it started dies
/// when it ends), a read-only view of the system with private places hidden, a private `/tmp`, its
/// scratch directory as the only writable place, and `--die-with-parent` so a killed worker takes
/// its scripts with it. ``Mode-swift.enum/none`` runs scripts as plain child processes: for
/// machines without bubblewrap, with no isolation between jobs (the worker logs a warning).
public struct SandboxSettings: Sendable, Equatable {
    /// Which confinement scripts run under.
    public enum Mode: String, Sendable, CaseIterable {
        /// A bubblewrap sandbox per job.
        case bubblewrap = "bwrap"
        /// Plain child processes in their own process group.
        case none
    }

    public var mode: Mode
    /// Whether jobs reach the network (default true); false gives each job an empty network namespace.
    public var network: Bool
    /// The bubblewrap executable.
    public var bubblewrapPath: String
    /// Directories (and files) hidden from jobs: an empty tmpfs is mounted over each directory,
    /// `/dev/null` over each file. Paths that do not exist are skipped.
    public var hiddenPaths: [String]
    /// Paths shown read-only again although they sit under a hidden one (an interpreter installed
    /// under `/root`, say). The worker adds its interpreters' install prefixes itself.
    public var readOnlyPaths: [String]

    /// What the sandbox hides by default: people's homes, runtime sockets (a Redis unix socket
    /// among them), temporary and variable data, mounts, and Sluice's own configuration.
    public static let defaultHiddenPaths = [
        "/root", "/home", "/run", "/var/run", "/tmp", "/var/tmp", "/var/lib", "/var/log", "/var/spool", "/var/mail", "/var/backups",
        "/srv", "/mnt", "/media", "/etc/sluice", "/dev/shm",
    ]

    public init(
        mode: Mode = .bubblewrap,
        network: Bool = true,
        bubblewrapPath: String = "/usr/bin/bwrap",
        hiddenPaths: [String] = SandboxSettings.defaultHiddenPaths,
        readOnlyPaths: [String] = []
    ) {
        self.mode = mode
        self.network = network
        self.bubblewrapPath = bubblewrapPath
        self.hiddenPaths = hiddenPaths
        self.readOnlyPaths = readOnlyPaths
    }
}

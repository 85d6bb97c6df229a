/// How script processes are confined on a worker.
///
/// With ``Mode-swift.enum/bubblewrap`` (the default), every job runs in its own bubblewrap
/// sandbox: its own PID namespace (it sees only its own processes, and everything it started dies
/// when it ends), a read-only view of the system's programs and configuration and nothing else of
/// the host, a private `/tmp`, its scratch directory as the only writable place, and
/// `--die-with-parent` so a killed worker takes its scripts with it. ``Mode-swift.enum/none`` runs scripts as plain child processes: for
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
    /// What a job sees of the machine, read-only: the system's programs, libraries and
    /// configuration. Nothing else of the host filesystem exists in the sandbox — no home
    /// directories, no `/run` (Redis's unix socket), no `/var`, no `/tmp`, no other job. A path that
    /// is a symlink on the host (`/bin → usr/bin`) becomes the same symlink; missing paths are skipped.
    public var visiblePaths: [String]
    /// Paths inside the visible ones that are hidden all the same (an empty tmpfs over a
    /// directory, `/dev/null` over a file).
    public var hiddenPaths: [String]
    /// More paths shown read-only (an interpreter installed under `/root`, a tool in `/srv`). The
    /// worker adds its interpreters' install prefixes itself.
    public var readOnlyPaths: [String]

    /// What jobs see by default.
    public static let defaultVisiblePaths = ["/usr", "/etc", "/opt", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]

    /// What is hidden inside the visible paths by default: Sluice's own configuration.
    public static let defaultHiddenPaths = ["/etc/sluice"]

    public init(
        mode: Mode = .bubblewrap,
        network: Bool = true,
        bubblewrapPath: String = "/usr/bin/bwrap",
        visiblePaths: [String] = SandboxSettings.defaultVisiblePaths,
        hiddenPaths: [String] = SandboxSettings.defaultHiddenPaths,
        readOnlyPaths: [String] = []
    ) {
        self.mode = mode
        self.network = network
        self.bubblewrapPath = bubblewrapPath
        self.visiblePaths = visiblePaths
        self.hiddenPaths = hiddenPaths
        self.readOnlyPaths = readOnlyPaths
    }
}

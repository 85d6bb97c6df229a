import CSluiceLinux

/// Protections the worker process applies to itself at start-up.
public enum ProcessHardening {
    /// Makes the worker non-dumpable (`PR_SET_DUMPABLE 0`): processes of the same uid — a script
    /// run without the sandbox, say — can then neither ptrace the worker nor read its
    /// `/proc/<pid>/environ` (where a Redis password may sit) or its memory. Throws when the kernel
    /// refuses.
    public static func makeNonDumpable() throws(HardeningError) {
        guard c_sluice_set_dumpable(0) == 0 else { throw HardeningError("prctl(PR_SET_DUMPABLE, 0) failed") }
    }

    /// Whether the process is dumpable now.
    public static var isDumpable: Bool { c_sluice_get_dumpable() == 1 }
}

/// A protection that could not be applied.
public struct HardeningError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

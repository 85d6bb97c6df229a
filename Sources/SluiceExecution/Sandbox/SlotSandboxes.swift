import Foundation
import Glibc
import SluiceCore

/// How bash jobs are confined (`worker --bash-runner`).
public enum BashRunnerMode: String, Sendable, CaseIterable {
    /// A warm bubblewrap sandbox per worker slot, made once and reused by the slot's jobs one after
    /// the other; each job still gets its own user, PID and IPC namespace, its own Landlock domain
    /// and a `/tmp` emptied before it (``SlotSandboxLauncher``). Falls back to `process` where the
    /// kernel lacks Landlock ABI 6 or nested user namespaces.
    case slot
    /// A bubblewrap sandbox made for each job (its mount namespace included): about three times
    /// the cost of a job on a 2-core machine.
    case process
}

/// Facts about the warm slot sandboxes bash jobs run in (see ``SlotSandboxLauncher``).
public enum SlotSandboxes {
    /// The `worker` executable beside the running one (the worker itself, or a test binary built
    /// with it), or `nil`.
    public static func siblingWorker() -> String? {
        guard let resolved = realpath("/proc/self/exe", nil) else { return nil }
        defer { free(resolved) }
        let candidate = URL(fileURLWithPath: String(cString: resolved)).deletingLastPathComponent().appendingPathComponent("worker").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// Where a slot sandbox shows the worker's scratch directory's `runs`, `scripts` and `helpers`:
    /// outside `/tmp`, so that `/tmp`, which every job of the slot may write, holds nothing else
    /// (a scratch root under the host's `/tmp`, the default, would otherwise put every slot's job
    /// directories beneath it, and Landlock grants a directory with everything beneath it).
    static let inside = "/sluice"

    /// `text` (a path, an argument, a variable's value) with the worker's scratch directory
    /// written as the slot sandbox shows it.
    static func translate(_ text: String, scratch: String) -> String {
        text.replacingOccurrences(of: scratch + "/", with: inside + "/")
    }

    /// Devices every confined job may read and write.
    static let devices = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"]

    /// The launcher's configuration: what every job may read (the sandbox's visible system, `/proc`
    /// — which shows only the slot's own processes), the devices, and `/tmp`, writable and emptied
    /// between jobs.
    static func configuration(readable: [String]) -> String {
        let paths = (readable + ["/proc"]).filter { BubblewrapSandbox.kind(of: $0) != .missing }
        let value: JSONValue = [
            "readable": .array(paths.map { .string($0) }), "devices": .array(devices.map { .string($0) }), "writable": ["/tmp"],
        ]
        return value.jsonText
    }

    /// The memory file's text a confined job is started from: NUL-terminated strings — the
    /// executable, the argument count and arguments (argv[0] first), the environment's count and
    /// entries, the count and paths of the extra files it may read. `nil` when a string holds a NUL
    /// (no argument or variable can; refused rather than let one string pass for several).
    static func jobFile(executable: String, arguments: [String], environment: [String: String], readable: [String]) -> [UInt8]? {
        var strings = [executable, String(arguments.count + 1), URL(fileURLWithPath: executable).lastPathComponent] + arguments
        strings.append(String(environment.count))
        strings += environment.sorted { $0.key < $1.key }.map { $0.key + "=" + $0.value }
        strings.append(String(readable.count))
        strings += readable
        var bytes: [UInt8] = []
        for string in strings {
            guard !string.utf8.contains(0) else { return nil }
            bytes += Array(string.utf8)
            bytes.append(0)
        }
        return bytes
    }
}

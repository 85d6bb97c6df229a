import Foundation
import Glibc

/// The bubblewrap command line that confines one script run (see ``SandboxSettings``).
///
/// The sandbox starts from an empty root and mounts, in order: the visible system paths read-only
/// (host symlinks such as `/bin → usr/bin` recreated as symlinks); `/dev/null` or an empty tmpfs
/// over hidden paths inside them; a fresh `/dev`, a `/proc` of the job's own PID namespace and a
/// private `/tmp`; paths shown again read-only (interpreter prefixes outside the visible paths, the
/// targets of `/etc/resolv.conf` and friends when they live elsewhere); the job's scratch directory
/// read-write; the run's cached script files read-only. Mounting only what is needed is both
/// tighter and cheaper than hiding places in a copy of the whole tree (each mount costs time on
/// every job). No secret is ever put on the command line: the job's variables reach it through the
/// environment of the bubblewrap process, which only the job's own namespace can read.
struct BubblewrapSandbox: Sendable {
    let settings: SandboxSettings
    /// Mount arguments shared by every run, computed once.
    private let fixedArguments: [String]
    /// Every path the sandbox shows read-only (the visible system paths, interpreter prefixes and
    /// the other paths shown again), for rules that grant reading them.
    let readablePaths: [String]

    /// - Parameters:
    ///   - scratchRoot: the directory holding every job's scratch directory and the script cache;
    ///     hidden when a visible path holds it.
    ///   - interpreters: executables scripts are run with; their install prefixes are shown when
    ///     they live outside the visible paths.
    init(settings: SandboxSettings, scratchRoot: String, interpreters: [String]) {
        self.settings = settings
        var arguments = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc"]
        if !settings.network { arguments.append("--unshare-net") }
        if getuid() == 0 { arguments += ["--cap-drop", "ALL"] }
        var visible: [String] = []
        for path in settings.visiblePaths {
            switch Self.kind(of: path) {
            case .symlink(let target):
                arguments += ["--symlink", target, path]
            case .directory, .file:
                arguments += ["--ro-bind", path, path]
                visible.append(path)
            case .other, .missing:
                continue
            }
        }
        let root = Self.canonical(scratchRoot)
        let hidden = settings.hiddenPaths + (visible.contains(where: { Self.isInside(root, $0) }) ? [root] : [])
        for path in hidden {
            switch Self.kind(of: path) {
            case .directory: arguments += ["--tmpfs", path]
            case .file: arguments += ["--ro-bind", "/dev/null", path]
            case .symlink, .other, .missing: continue
            }
        }
        arguments += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        var shown: [String] = []
        for interpreter in interpreters {
            let real = Self.canonical(interpreter)
            guard !visible.contains(where: { Self.isInside(real, $0) }) else { continue }
            // …/prefix/bin/python3 → …/prefix: the interpreter with its libraries.
            shown.append(URL(fileURLWithPath: real).deletingLastPathComponent().deletingLastPathComponent().path)
        }
        for essential in ["/etc/resolv.conf", "/etc/hosts", "/etc/localtime", "/etc/ssl/certs"] {
            let real = Self.canonical(essential)
            if real != essential, !visible.contains(where: { Self.isInside(real, $0) }) { shown.append(real) }
        }
        shown += settings.readOnlyPaths
        for path in shown where Self.kind(of: path) != .missing {
            arguments += ["--ro-bind", path, path]
        }
        fixedArguments = arguments
        readablePaths = visible + shown.filter { Self.kind(of: $0) != .missing }
    }

    /// The bubblewrap invocation that runs `executable arguments…` in `directory`, with `readOnlyFiles`
    /// (cached script files, runtime files) visible read-only at their own paths, and `writable`
    /// directories (a cache being filled by Sluice's own code, never a job's) writable.
    func command(
        executable: String, arguments: [String], directory: String, readOnlyFiles: [String], writable: [String] = []
    ) -> (executable: String, arguments: [String]) {
        var binds = [Bind(source: directory, destination: directory, writable: true)]
        binds += readOnlyFiles.filter { !writable.contains($0) }.map { Bind(source: $0, destination: $0, writable: false) }
        binds += writable.map { Bind(source: $0, destination: $0, writable: true) }
        return command(executable: executable, arguments: arguments, workingDirectory: directory, binds: binds)
    }

    /// A host path shown in the sandbox, at the same or another path.
    struct Bind {
        var source: String
        var destination: String
        var writable: Bool
    }

    /// The bubblewrap invocation that runs `executable arguments…` in `workingDirectory` (a path
    /// inside the sandbox), with `binds` mounted in order after the fixed ones.
    func command(executable: String, arguments: [String], workingDirectory: String, binds: [Bind]) -> (executable: String, arguments: [String]) {
        var wrapped = fixedArguments
        for bind in binds { wrapped += [bind.writable ? "--bind" : "--ro-bind", bind.source, bind.destination] }
        wrapped += ["--chdir", workingDirectory, "--", executable]
        wrapped += arguments
        return (settings.bubblewrapPath, wrapped)
    }

    /// Runs `/bin/true` in the sandbox once; throws with bubblewrap's own message when it cannot
    /// work here (missing, or user namespaces disabled), so a worker refuses to start rather than
    /// run jobs unconfined — and when it has not ended within `deadline` (killed then), so a probe
    /// that hangs cannot hold a worker up for ever without a word.
    func probe(directory: String, deadline: Duration = .seconds(30)) async throws(SandboxError) {
        guard FileManager.default.isExecutableFile(atPath: settings.bubblewrapPath) else {
            throw SandboxError(
                "bubblewrap is not installed at \(settings.bubblewrapPath) (apt-get install bubblewrap), or run the worker with --sandbox none")
        }
        let (executable, arguments) = command(executable: "/bin/true", arguments: [], directory: directory, readOnlyFiles: [])
        switch await BoundedCommand.run(executable: executable, arguments: arguments, deadline: deadline) {
        case .exited(status: 0, signal: nil, _):
            return
        case .exited(_, _, let message):
            throw SandboxError("bubblewrap cannot make a sandbox here (\(message.trimmingCharacters(in: .whitespacesAndNewlines)))")
        case .timedOut:
            throw SandboxError("bubblewrap's start-up check (/bin/true in a sandbox) did not end within \(deadline) and was killed")
        case .notStarted(let reason):
            throw SandboxError("cannot start bubblewrap: \(reason)")
        }
    }

    enum PathKind: Equatable { case directory, file, symlink(String), other, missing }

    /// What `path` is, without following a final symlink.
    static func kind(of path: String) -> PathKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFLNK:
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return .other }
            return .symlink(target)
        default: return .other
        }
    }

    /// `path` with symlinks resolved (itself when it cannot be resolved).
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isInside(_ path: String, _ directory: String) -> Bool {
        path == directory || path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
    }
}

/// Why the sandbox cannot be used.
public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

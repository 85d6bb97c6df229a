import Foundation

/// Finds the programs scripts run with (python3, deno) and the tools that prepare them (uv), once,
/// when a process starts.
///
/// Version-manager shims (pyenv, asdf, rbenv, mise…) are skipped when searching `PATH`: a shim is a
/// script that starts another interpreter — about 70 ms per job here — and it usually lives in
/// a home directory the sandbox hides. An explicit path is taken as given.
///
/// deno and uv come from PyPI: `make deps` installs them into the project's `.venv-tools`, which
/// is found by walking up from the running executable's directory (a build's `.build/…/release`
/// lies inside the project), before `PATH` is searched.
public enum ToolLocator {
    /// The python3 to run scripts with: `explicit` when given, else the system's
    /// (`/usr/bin/python3`, `/usr/local/bin/python3`), else the first `python3` on `searchPath`
    /// outside a shim directory; symlinks resolved. `nil` when there is none.
    public static func python(explicit: String? = nil, searchPath: String? = nil) -> String? {
        if let explicit { return explicit }
        let candidates = ["/usr/bin/python3", "/usr/local/bin/python3"] + onPath("python3", searchPath: searchPath)
        return firstExecutable(candidates)
    }

    /// The deno to run TypeScript with: `explicit`, else the one `make deps` installed
    /// (`.venv-tools/bin/deno` above the executable), else the first `deno` on `PATH`.
    public static func deno(explicit: String? = nil, searchPath: String? = nil, executable: String? = nil) -> String? {
        tool("deno", explicit: explicit, searchPath: searchPath, executable: executable)
    }

    /// The uv that locks and installs Python dependencies, found like ``deno(explicit:searchPath:executable:)``.
    public static func uv(explicit: String? = nil, searchPath: String? = nil, executable: String? = nil) -> String? {
        tool("uv", explicit: explicit, searchPath: searchPath, executable: executable)
    }

    /// The project-local tools folder `make deps` fills.
    public static let toolsFolder = ".venv-tools"

    static func tool(_ name: String, explicit: String?, searchPath: String?, executable: String?) -> String? {
        if let explicit { return explicit }
        var candidates: [String] = []
        var directory = URL(fileURLWithPath: executable ?? currentExecutable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory.appendingPathComponent(toolsFolder + "/bin/" + name).path)
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return firstExecutable(candidates + onPath(name, searchPath: searchPath))
    }

    private static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? "."
    }

    private static func onPath(_ name: String, searchPath: String?) -> [String] {
        let searchPath = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? ""
        return searchPath.split(separator: ":").map(String.init).filter { !isShimDirectory($0) }.map { $0 + "/" + name }
    }

    private static func firstExecutable(_ candidates: [String]) -> String? {
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
        }
        return nil
    }

    /// Whether `directory` holds version-manager shims rather than interpreters.
    static func isShimDirectory(_ directory: String) -> Bool {
        directory.hasSuffix("/shims") || directory.contains("/shims/") || directory.contains("/.asdf/") || directory.contains("/mise/")
    }
}

import Foundation

/// Finds the interpreters scripts run with, once, when the worker starts.
///
/// Version-manager shims (pyenv, asdf, rbenv, mise…) are skipped when searching `PATH`: a shim is a
/// script that starts another interpreter — about 70 ms per job here — and it usually lives in
/// a home directory the sandbox hides. An explicit `--python PATH` is taken as given.
public enum InterpreterLocator {
    /// The python3 to run scripts with: `explicit` when given, else the system's
    /// (`/usr/bin/python3`, `/usr/local/bin/python3`), else the first `python3` on `searchPath`
    /// outside a shim directory; symlinks resolved. `nil` when there is none.
    public static func python(explicit: String? = nil, searchPath: String? = nil) -> String? {
        if let explicit { return explicit }
        let searchPath = searchPath ?? ProcessInfo.processInfo.environment["PATH"]
        var candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
        for directory in (searchPath ?? "").split(separator: ":").map(String.init) where !isShimDirectory(directory) {
            candidates.append(directory + "/python3")
        }
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

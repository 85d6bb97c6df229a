import Foundation

/// A script written as an executable file for a test to run — a stand-in for `bwrap`, `deno` or
/// any program a test replaces.
///
/// Written by `install`, a process of its own, never through a file descriptor of the test's
/// process: a test run forks children on many threads at once, and a child forked while this
/// process held the new file open for writing holds it open too (at least until it execs), so
/// running the file then could fail with "Text file busy" (ETXTBSY).
public enum ExecutableScript {
    /// Writes `text` to `path`, mode 0755, and returns `path`.
    @discardableResult
    public static func write(_ text: String, to path: String) throws -> String {
        let source = path + ".source"
        try text.write(toFile: source, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let run = try ProgramRun.run("/usr/bin/install", ["-m", "0755", source, path], environment: [:])
        guard run.status == 0 else { throw ExecutableScriptError(message: "install \(path): \(run.errors)") }
        return path
    }
}

/// `install` could not write an executable script.
public struct ExecutableScriptError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

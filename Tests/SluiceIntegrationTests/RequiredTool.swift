import SluiceScripts

/// Tools some suites need besides the Swift toolchain and redis-server: deno (TypeScript jobs and
/// the JavaScript expression engine) and uv (Python dependencies), which `make test-deps` (run
/// by `make test`) installs into `.venv-tools`. A suite that needs one asks for it in its `init`,
/// so that without it each of its tests fails with this message rather than a job failing
/// somewhere further on.
enum RequiredTool {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The deno the worker finds (`.venv-tools/bin/deno` or `PATH`).
    @discardableResult
    static func deno() throws -> String {
        guard let path = ToolLocator.deno() else {
            throw Missing(description: "deno is not installed: run `make test-deps` (it installs deno into .venv-tools), or put deno on PATH")
        }
        return path
    }

    /// The uv the worker finds (`.venv-tools/bin/uv` or `PATH`).
    @discardableResult
    static func uv() throws -> String {
        guard let path = ToolLocator.uv() else {
            throw Missing(description: "uv is not installed: run `make test-deps` (it installs uv into .venv-tools), or put uv on PATH")
        }
        return path
    }
}

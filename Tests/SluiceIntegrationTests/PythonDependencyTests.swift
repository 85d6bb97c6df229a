import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceScripts
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// Python scripts with PyPI dependencies: locked with uv when pushed, installed once per lock by the
/// worker. The packages are real PyPI wheels (six, idna) that `make test-deps` downloads into
/// `.test-wheels`; uv resolves and installs from there without an index.
@Suite("Python dependencies", .serialized, .tags(.processes))
struct PythonDependencyTests {
    let server: RedisServer

    init() async throws {
        try RequiredTool.uv()
        server = try await RedisServer.start()
    }

    static let wheels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".test-wheels").path

    /// uv's settings for the tests: the downloaded wheels, no index, no cache (whose index data would win).
    static let offline = ["UV_FIND_LINKS": wheels, "UV_NO_INDEX": "1", "UV_OFFLINE": "1", "UV_NO_CACHE": "1"]

    static func locker() throws -> PythonLocker {
        let uv = try #require(ToolLocator.uv(), "run make deps")
        #expect(FileManager.default.fileExists(atPath: wheels + "/.complete"), "run make test-deps")
        return PythonLocker(
            uv: uv, python: try #require(ToolLocator.python()), environment: ProcessInfo.processInfo.environment.merging(offline) { $1 })
    }

    func runner(root: String? = nil) -> ScriptRunner {
        ScriptRunner(settings: ScriptRunnerSettings(scratchRoot: root, cacheRoot: root, uvEnvironment: Self.offline))
    }

    static let script = """
        import six
        import idna


        def main(domain: str = "bücher.example"):
            return {"six": six.__version__, "ascii": idna.encode(domain).decode("ascii"), "where": six.__file__}
        """

    @Test("inferred requirements are locked with hashes, stored with the version, and the job runs in the environment built from the lock")
    func lockAndRun() async throws {
        let requirements = try PythonRequirements(script: Self.script)
        #expect(requirements.requirements == ["six", "idna"])
        let lock = try await Self.locker().lock(requirements)
        #expect(lock.pins == ["idna==3.10", "six==1.17.0"])
        #expect(lock.text.contains("--hash=sha256:"))
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-deps-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await harness.withWorker(harness.settings(concurrency: 4), runner: runner(root: root)) { _ in
            // Four jobs needing the same lock at once: one build, all four in it.
            var ids: [JobID] = []
            for _ in 0..<4 { ids.append(try harness.run(.python3, Self.script, lock: lock.text)) }
            for id in ids {
                let job = try await harness.finished(id)
                #expect(job.state == .success, "\(job.error ?? "")")
                #expect(job.result?["six"] == "1.17.0")
                #expect(job.result?["ascii"] == "xn--bcher-kva.example")
                #expect(job.result?["where"]?.stringValue?.hasPrefix(root + "/venvs/") == true)
            }
            let built = try FileManager.default.contentsOfDirectory(atPath: root + "/venvs").filter { !$0.hasPrefix(".") && !$0.hasSuffix(".lock") }
            #expect(built.count == 1, "\(built)")
            // A job without a lock runs on the plain interpreter: six is missing there, or the system's own.
            let plain = try await harness.finished(try harness.run(.python3, Self.script))
            let outside =
                plain.state == .failure
                ? plain.error?.contains("ModuleNotFoundError") == true : plain.result?["where"]?.stringValue?.hasPrefix(root) == false
            #expect(outside, "\(plain.error ?? plain.result?.jsonText ?? "")")
        }
    }

    @Test("a package that cannot be found fails the lock with uv's message, quickly")
    func unresolvable() async throws {
        let started = ContinuousClock.now
        await #expect {
            _ = try await Self.locker().lock(PythonRequirements(requirements: ["sluice-no-such-package-zz"], source: .windmill))
        } throws: { error in
            (error as? PythonLockError)?.description.contains("sluice-no-such-package-zz") == true
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("a lock the worker cannot install fails the job with the installer's message, never hangs")
    func uninstallable() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-deps-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bogus = "six==1.17.0 \\\n    --hash=sha256:\(String(repeating: "0", count: 64))\n"
        try await harness.withWorker(runner: runner(root: root)) { _ in
            let job = try await harness.finished(try harness.run(.python3, Self.script, lock: bogus), timeout: .seconds(60))
            #expect(job.state == .failure)
            #expect(job.error?.hasPrefix("cannot install the script's dependencies") == true, "\(job.error ?? "")")
            #expect(job.error?.lowercased().contains("hash") == true, "\(job.error ?? "")")
        }
    }

    @Test("sluice script push locks what a script imports, prints it, and script show prints the lock")
    func cli() async throws {
        let keys = KeySpace.unique()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("deps-\(UUID().uuidString).py")
        try "# requirements:\n# six\n\nimport six\n\ndef main():\n    return six.PY3\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var environment = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix]
        for (name, value) in Self.offline { environment[name] = value }
        let pushed = try await runCommand("sluice", ["script", "push", "f/test/deps", file.path], environment: environment)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("locked six==1.17.0"), "\(pushed.stdout)")
        let shown = try await runCommand("sluice", ["script", "show", "f/test/deps", "--lock"], environment: environment)
        #expect(shown.stdout.hasPrefix("# sluice lock: # requirements: block, python 3."), "\(shown.stdout)")
        #expect(shown.stdout.contains("six==1.17.0"))
        let again = try await runCommand("sluice", ["script", "push", "f/test/deps", file.path], environment: environment)
        #expect(again.stdout.contains("lock already stored"))
        try "import sluice_surely_missing_module\n\ndef main():\n    pass\n".write(to: file, atomically: true, encoding: .utf8)
        let refused = try await runCommand("sluice", ["script", "push", "f/test/missing", file.path], environment: environment)
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains("sluice-surely-missing-module") || refused.stderr.contains("sluice_surely_missing_module"), "\(refused.stderr)")
    }
}

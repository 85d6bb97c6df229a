import Foundation
import SluiceCore
import SluiceScripts

/// The virtualenvs Python jobs with dependencies run in: one per lock, built once with uv and kept
/// on disk under `<scratch root>/venvs/<sha256 of the lock>/`, shared by every slot and every worker
/// process of the user.
///
/// Building is safe under concurrency (``SharedBuildDirectories``): one builder, the others wait
/// and find it ready; nobody ever runs in a half-built environment. A failed build fails the jobs
/// that needed it with uv's message; it is retried after the failure memory (60 s), not on every
/// job. uv is killed after the build timeout, so a dead index never hangs a job.
///
/// uv runs outside the job sandbox, as the worker: it only downloads wheels whose sha256 the lock
/// pins and unpacks them (`--only-binary :all:` — no package build code ever runs); jobs see their
/// environment read-only.
final class PythonEnvironments: Sendable {
    let root: String
    let uv: String?
    let python: String
    private let builds: SharedBuildDirectories
    private let environment: [String: String]

    init(
        root: String, uv: String?, python: String, extraEnvironment: [String: String] = [:], buildTimeout: Duration = .seconds(600),
        failureMemory: Duration = .seconds(60)
    ) {
        self.root = root
        self.uv = uv
        self.python = python
        builds = SharedBuildDirectories(root: root, buildTimeout: buildTimeout, failureMemory: failureMemory)
        var environment: [String: String] = ["UV_CACHE_DIR": root + "/.uv-cache", "UV_NO_PROGRESS": "1"]
        for (name, value) in ProcessInfo.processInfo.environment
        where ["PATH", "HOME", "SSL_CERT_FILE", "SSL_CERT_DIR"].contains(name) || name.hasPrefix("UV_") || name.hasPrefix("PIP_")
            || name.lowercased().hasSuffix("_proxy")
        {
            if environment[name] == nil { environment[name] = value }
        }
        for (name, value) in extraEnvironment { environment[name] = value }
        self.environment = environment
    }

    /// The directory of the environment `lock` describes, built first if needed.
    func directory(for lock: String) async throws(PythonLockError) -> String {
        let hash = String(ContentHash.of(lock).prefix(32))
        if let ready = builds.ready(hash) { return ready }
        guard let uv else {
            throw PythonLockError("the script has dependencies but uv is not installed on this worker (make deps; or worker --uv PATH)")
        }
        do throws(SharedBuildDirectories.Failure) {
            return try await builds.directory(for: hash, building: "building", failureLead: "cannot install the script's dependencies") {
                staging throws(SharedBuildDirectories.Failure) in
                do throws(PythonLockError) { try await self.build(lock: lock, uv: uv, into: staging) } catch {
                    throw SharedBuildDirectories.Failure(error.description)
                }
            }
        } catch {
            throw PythonLockError(error.description)
        }
    }

    /// Makes the virtualenv of `lock` in `staging`.
    private func build(lock: String, uv: String, into staging: String) async throws(PythonLockError) {
        let command = UVRunner(uv: uv, timeout: builds.buildTimeout, environment: environment)
        _ = try await command.run(["venv", "--quiet", "--relocatable", "--python", python, staging])
        let requirements = staging + "/requirements.lock"
        guard FileManager.default.createFile(atPath: requirements, contents: Data(lock.utf8), attributes: [.posixPermissions: 0o400]) else {
            throw PythonLockError("cannot write \(requirements)")
        }
        _ = try await command.run([
            "pip", "sync", requirements, "--python", staging + "/bin/python", "--require-hashes", "--only-binary", ":all:", "--quiet",
            "--color", "never",
        ])
    }
}

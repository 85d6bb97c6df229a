import Foundation
import Glibc
import SluiceCore
import SluiceScripts
import Synchronization

/// The virtualenvs Python jobs with dependencies run in: one per lock, built once with uv and kept
/// on disk under `<scratch root>/venvs/<sha256 of the lock>/`, shared by every slot and every worker
/// process of the user.
///
/// Building is safe under concurrency: a builder holds `<hash>.lock` (`flock`, which excludes other
/// slots of the same process as well as other processes), builds into a fresh `.build-…` directory
/// and renames it into place when complete, so nobody ever runs in a half-built environment; the
/// others wait for the lock and then find it ready. A failed build fails the jobs that needed it
/// with uv's message; it is retried after ``failureMemory``, not on every job. uv is killed after
/// the build timeout, so a dead index never hangs a job.
///
/// uv runs outside the job sandbox, as the worker: it only downloads wheels whose sha256 the lock
/// pins and unpacks them (`--only-binary :all:` — no package build code ever runs); jobs see their
/// environment read-only.
final class PythonEnvironments: Sendable {
    let root: String
    let uv: String?
    let python: String
    let buildTimeout: Duration
    let failureMemory: Duration
    private let environment: [String: String]
    private let failures = Mutex<[String: (message: String, at: ContinuousClock.Instant)]>([:])

    init(
        root: String, uv: String?, python: String, extraEnvironment: [String: String] = [:], buildTimeout: Duration = .seconds(600),
        failureMemory: Duration = .seconds(60)
    ) {
        self.root = root
        self.uv = uv
        self.python = python
        self.buildTimeout = buildTimeout
        self.failureMemory = failureMemory
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
        let final = root + "/" + hash
        if isComplete(final) { return final }
        if let failure = failures.withLock({ $0[hash] }), ContinuousClock.now - failure.at < failureMemory {
            throw PythonLockError(failure.message)
        }
        guard uv != nil else {
            throw PythonLockError("the script has dependencies but uv is not installed on this worker (make deps; or worker --uv PATH)")
        }
        guard mkdir(root, 0o700) == 0 || errno == EEXIST else { throw PythonLockError("cannot create \(root)") }
        let descriptor = open(root + "/" + hash + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw PythonLockError("cannot open \(root)/\(hash).lock") }
        defer { close(descriptor) }
        // Wait for another builder (polling: never block a thread of the cooperative pool).
        let deadline = ContinuousClock.now + buildTimeout + .seconds(30)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard ContinuousClock.now < deadline else { throw PythonLockError("waited too long for another worker building \(final)") }
            // A canceled task's sleep ends at once: stop rather than spin until the deadline.
            guard !Task.isCancelled else { throw PythonLockError("stopped while another worker was building \(final)") }
            try? await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(descriptor, LOCK_UN) }
        if isComplete(final) { return final }
        do {
            try await build(lock: lock, into: final)
            failures.withLock { _ = $0.removeValue(forKey: hash) }
            return final
        } catch {
            let message = "cannot install the script's dependencies: \(error.description)"
            failures.withLock { $0[hash] = (message, ContinuousClock.now) }
            throw PythonLockError(message)
        }
    }

    private func build(lock: String, into final: String) async throws(PythonLockError) {
        guard let uv else { return }
        let staging = root + "/.build-" + URL(fileURLWithPath: final).lastPathComponent + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let command = UVRunner(uv: uv, timeout: buildTimeout, environment: environment)
        _ = try await command.run(["venv", "--quiet", "--relocatable", "--python", python, staging])
        let requirements = staging + "/requirements.lock"
        guard FileManager.default.createFile(atPath: requirements, contents: Data(lock.utf8), attributes: [.posixPermissions: 0o400]) else {
            throw PythonLockError("cannot write \(requirements)")
        }
        _ = try await command.run([
            "pip", "sync", requirements, "--python", staging + "/bin/python", "--require-hashes", "--only-binary", ":all:", "--quiet",
            "--color", "never",
        ])
        guard FileManager.default.createFile(atPath: staging + "/.sluice-complete", contents: Data()) else {
            throw PythonLockError("cannot mark \(staging) complete")
        }
        try? FileManager.default.removeItem(atPath: final)
        guard rename(staging, final) == 0 else { throw PythonLockError("cannot move \(staging) to \(final)") }
    }

    private func isComplete(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/.sluice-complete")
    }
}

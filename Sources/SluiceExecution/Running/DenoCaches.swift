import Foundation
import Glibc
import SluiceCore
import SluiceScripts
import Synchronization

/// The Deno caches (`DENO_DIR`) TypeScript jobs with a lock run with: one per lock and registry,
/// filled once by `deno cache` with exactly what the lock pins, and kept on disk under
/// `<cache root>/deno/<sha256 of the lock and registries>/` (beside Deno's lockfile, `deno.lock`),
/// shared by every slot and every worker process of the user, for every job of every script
/// version with that lock.
///
/// Filling is safe under concurrency as building a Python virtualenv is (``PythonEnvironments``):
/// a builder holds `<hash>.lock` (`flock`), fills a fresh `.build-…` directory and renames it into
/// place when complete; the others wait and then find it ready. A lock that cannot be fetched
/// fails the jobs that need it with Deno's message, remembered for ``failureMemory``. Deno is
/// killed after the build timeout.
///
/// Deno runs outside the job sandbox, as the worker, with `--frozen` (nothing but what the lock
/// pins, each package checked against its integrity hash and each remote module against its
/// SHA-256); it downloads and reads, and runs no code (npm install scripts never run). Jobs see the
/// cache read-only and run with `--cached-only`: none can change it for another.
final class DenoCaches: Sendable {
    let root: String
    let deno: String
    let npmRegistry: String?
    let jsrRegistry: String?
    let buildTimeout: Duration
    let failureMemory: Duration
    private let environment: [String: String]
    private let failures = Mutex<[String: (message: String, at: ContinuousClock.Instant)]>([:])

    /// The lockfile's name inside a cache.
    static let lockFile = "deno.lock"

    init(
        root: String, deno: String, npmRegistry: String?, jsrRegistry: String?, buildTimeout: Duration = .seconds(600),
        failureMemory: Duration = .seconds(60)
    ) {
        self.root = root
        self.deno = deno
        self.npmRegistry = npmRegistry
        self.jsrRegistry = jsrRegistry
        self.buildTimeout = buildTimeout
        self.failureMemory = failureMemory
        var environment: [String: String] = ["NO_COLOR": "1", "DENO_NO_UPDATE_CHECK": "1", "DENO_NO_PROMPT": "1"]
        for (name, value) in ProcessInfo.processInfo.environment
        where ["PATH", "HOME", "SSL_CERT_FILE", "SSL_CERT_DIR", "DENO_CERT", "DENO_TLS_CA_STORE", "DENO_AUTH_TOKENS"]
            .contains(name) || name.lowercased().hasSuffix("_proxy")
        {
            environment[name] = value
        }
        environment.merge(Self.registryEnvironment(npm: npmRegistry, jsr: jsrRegistry)) { $1 }
        self.environment = environment
    }

    /// The variables that point Deno at the registries (a job's too: Deno finds cached packages
    /// under the registry's host).
    static func registryEnvironment(npm: String?, jsr: String?) -> [String: String] {
        var environment: [String: String] = [:]
        if let npm { environment["NPM_CONFIG_REGISTRY"] = npm }
        if let jsr { environment["JSR_URL"] = jsr }
        return environment
    }

    /// The cache directory of `lock`, filled first if needed by caching `script` with `importMap`
    /// (the map the job runs with: Sluice's client is a local file, never fetched).
    func directory(for lock: String, script: String, importMap: String) async throws(TypeScriptLockError) -> String {
        let hash = String(ContentHash.of(lock + "\n" + (npmRegistry ?? "") + "\n" + (jsrRegistry ?? "")).prefix(32))
        let final = root + "/" + hash
        if isComplete(final) { return final }
        if let failure = failures.withLock({ $0[hash] }), ContinuousClock.now - failure.at < failureMemory {
            throw TypeScriptLockError(failure.message)
        }
        let parsed = try TypeScriptLock(parsing: lock)
        guard mkdir(root, 0o700) == 0 || errno == EEXIST else { throw TypeScriptLockError("cannot create \(root)") }
        let descriptor = open(root + "/" + hash + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw TypeScriptLockError("cannot open \(root)/\(hash).lock") }
        defer { close(descriptor) }
        // Wait for another builder (polling: never block a thread of the cooperative pool).
        let deadline = ContinuousClock.now + buildTimeout + .seconds(30)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard ContinuousClock.now < deadline else { throw TypeScriptLockError("waited too long for another worker filling \(final)") }
            // A canceled task's sleep ends at once: stop rather than spin until the deadline.
            guard !Task.isCancelled else { throw TypeScriptLockError("stopped while another worker was filling \(final)") }
            try? await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(descriptor, LOCK_UN) }
        if isComplete(final) { return final }
        do {
            try await fill(parsed, script: script, importMap: importMap, into: final)
            failures.withLock { _ = $0.removeValue(forKey: hash) }
            return final
        } catch {
            let message = "cannot fetch the script's locked packages and modules: \(error.description)"
            failures.withLock { $0[hash] = (message, ContinuousClock.now) }
            throw TypeScriptLockError(message)
        }
    }

    private func fill(_ lock: TypeScriptLock, script: String, importMap: String, into final: String) async throws(TypeScriptLockError) {
        let staging = root + "/.build-" + URL(fileURLWithPath: final).lastPathComponent + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let source = staging + "/.source"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do {
            try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw TypeScriptLockError("cannot create \(source): \(error)")
        }
        try write(lock.denoLockText, to: staging + "/" + Self.lockFile, mode: 0o400)
        try write(script, to: source + "/script.ts", mode: 0o600)
        try write(importMap, to: source + "/import-map.json", mode: 0o600)
        var environment = environment
        environment["DENO_DIR"] = staging
        let arguments = [
            "cache", "--quiet", "--no-config", "--frozen", "--lock=" + staging + "/" + Self.lockFile, "--import-map", source + "/import-map.json",
            "--allow-import", source + "/script.ts",
        ]
        do {
            _ = try await UVRunner(uv: deno, timeout: buildTimeout, environment: environment).run(arguments)
        } catch {
            throw TypeScriptLockError(TypeScriptLocker.readable(error.description, directory: source))
        }
        try? FileManager.default.removeItem(atPath: source)
        try write("", to: staging + "/.sluice-complete", mode: 0o400)
        try? FileManager.default.removeItem(atPath: final)
        guard rename(staging, final) == 0 else { throw TypeScriptLockError("cannot move \(staging) to \(final)") }
    }

    private func write(_ text: String, to path: String, mode: Int) throws(TypeScriptLockError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw TypeScriptLockError("cannot write \(path)")
        }
    }

    private func isComplete(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/.sluice-complete")
    }
}

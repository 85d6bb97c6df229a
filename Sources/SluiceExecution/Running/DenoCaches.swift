import Foundation
import SluiceCore
import SluiceScripts

/// The Deno caches (`DENO_DIR`) TypeScript jobs with a lock run with: one per lock and registry,
/// filled once by `deno cache` with exactly what the lock pins, and kept on disk under
/// `<cache root>/deno/<sha256 of the lock and registries>/` (beside Deno's lockfile, `deno.lock`),
/// shared by every slot and every worker process of the user, for every job of every script
/// version with that lock.
///
/// Filling is safe under concurrency as building a Python virtualenv is (``SharedBuildDirectories``):
/// one filler, the others wait and then find it ready. A lock that cannot be fetched fails the jobs
/// that need it with Deno's message, remembered for the failure memory (60 s). Deno is killed
/// after the build timeout.
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
    private let builds: SharedBuildDirectories
    private let environment: [String: String]

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
        builds = SharedBuildDirectories(root: root, buildTimeout: buildTimeout, failureMemory: failureMemory)
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
        if let ready = builds.ready(hash) { return ready }
        let parsed = try TypeScriptLock(parsing: lock)
        do throws(SharedBuildDirectories.Failure) {
            return try await builds.directory(
                for: hash, building: "filling", failureLead: "cannot fetch the script's locked packages and modules"
            ) { staging throws(SharedBuildDirectories.Failure) in
                do throws(TypeScriptLockError) { try await self.fill(parsed, script: script, importMap: importMap, into: staging) } catch {
                    throw SharedBuildDirectories.Failure(error.description)
                }
            }
        } catch {
            throw TypeScriptLockError(error.description)
        }
    }

    /// Fills `staging` with what `lock` pins, by caching `script`.
    private func fill(_ lock: TypeScriptLock, script: String, importMap: String, into staging: String) async throws(TypeScriptLockError) {
        let source = staging + "/.source"
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
            _ = try await UVRunner(uv: deno, timeout: builds.buildTimeout, environment: environment).run(arguments)
        } catch {
            throw TypeScriptLockError(TypeScriptLocker.readable(error.description, directory: source))
        }
        try? FileManager.default.removeItem(atPath: source)
    }

    private func write(_ text: String, to path: String, mode: Int) throws(TypeScriptLockError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw TypeScriptLockError("cannot write \(path)")
        }
    }
}

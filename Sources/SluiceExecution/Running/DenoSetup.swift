import Foundation
import SluiceCore
import SluiceScripts

/// Where a worker process keeps what its TypeScript jobs share: Sluice's runtime files
/// (``DenoRuntime``, `<worker scratch>/deno/runtime`) and Deno's cache for scripts without a lock
/// (`DENO_DIR`, `<worker scratch>/deno/cache`). Both are shown read-only to jobs; the cache is
/// filled once, by a warm-up run of Sluice's own code when the worker starts, so a job can neither
/// read another job's compiled code nor leave any for the next. Scripts with a lock run with the
/// cache of their lock instead (``DenoCaches``).
struct DenoSetup: Sendable {
    let executable: String
    let runtime: String
    let cache: String
    /// The registries Deno fetches from (`NPM_CONFIG_REGISTRY`, `JSR_URL`); `nil`: Deno's defaults.
    let npmRegistry: String?
    let jsrRegistry: String?

    init(executable: String, directory: String, npmRegistry: String? = nil, jsrRegistry: String? = nil) throws(ScratchError) {
        self.executable = executable
        self.npmRegistry = npmRegistry
        self.jsrRegistry = jsrRegistry
        runtime = directory + "/runtime"
        cache = directory + "/cache"
        let files = FileManager.default
        for path in [directory, runtime, cache] {
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw ScratchError("cannot create \(path)") }
        }
        for (name, content) in DenoRuntime.files {
            let path = runtime + "/" + name
            try? files.removeItem(atPath: path)
            guard files.createFile(atPath: path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o400]) else {
                throw ScratchError("cannot write \(path)")
            }
        }
    }

    /// Where a run's modules come from.
    struct Modules: Sendable {
        /// The run's import map (``importMap(for:lock:)``), written in the script's directory.
        var importMap: String
        /// The cache of the script's lock (``DenoCaches``): the run fetches nothing, with the lock frozen.
        var lockedCache: String?
        /// A cache of the run's own, for a script that fetches packages but has no lock (they are
        /// fetched on every run, and seen by no other job).
        var ownCache: String?
    }

    /// The import map of `script`: every spelling of Windmill's client it uses resolved to Sluice's
    /// client module, and the rest as its lock (or, without one, the script's own imports) says.
    func importMap(for script: String, lock: TypeScriptLock?) -> String {
        let specifiers = TypeScriptImports.specifiers(in: script)
        var entries = TypeScriptImportMap.resolutions(for: specifiers)
        for (key, value) in lock?.imports ?? [:] { entries[key] = value }
        for (key, value) in TypeScriptImportMap.clientEntries(for: specifiers, clientURL: "file://" + runtime + "/" + DenoRuntime.clientFile) {
            entries[key] = value
        }
        return TypeScriptImportMap.document(entries)
    }

    /// The command that runs the script in `directory` (`script.ts`, `context.json`) with
    /// `permissions`, the job's channel `socket` reachable, and a `same_worker` flow's `shared`
    /// folder readable and writable.
    func command(directory: String, modules: Modules, permissions: DenoPermissions, socket: String? = nil, shared: String? = nil) -> (
        executable: String, arguments: [String]
    ) {
        let arguments =
            Self.moduleFlags(modules)
            + permissions.flags(directory: directory, runtime: runtime, socket: socket, shared: shared, allowImport: modules.lockedCache != nil)
            + [runtime + "/" + DenoRuntime.runnerFile, directory]
        return (executable, arguments)
    }

    /// The command of a dedicated Deno process for the script in `home` (`script.ts`), whose jobs'
    /// directories are made inside `home`; each job's channel listens at `home/.channel` in turn
    /// (Deno's permissions name a socket by its exact path). `bun`: the script uses the `Bun` global.
    func dedicatedCommand(home: String, modules: Modules, permissions: DenoPermissions, bun: Bool = false) -> (
        executable: String, arguments: [String]
    ) {
        let arguments =
            Self.moduleFlags(modules)
            + permissions.flags(
                directory: home, runtime: runtime, socket: home + "/" + ChannelServer.socketName, allowImport: modules.lockedCache != nil)
            + [runtime + "/" + DenoRuntime.dedicatedFile, home] + (bun ? ["bun"] : [])
        return (executable, arguments)
    }

    /// A locked run fetches nothing (`--cached-only`) and accepts nothing its lock does not pin (`--frozen`).
    private static func moduleFlags(_ modules: Modules) -> [String] {
        var flags = ["run", "--quiet", "--no-prompt", "--no-config"]
        if let locked = modules.lockedCache {
            flags += ["--cached-only", "--frozen", "--lock=" + locked + "/" + DenoCaches.lockFile]
        } else {
            flags.append("--no-lock")
        }
        return flags + ["--import-map", modules.importMap]
    }

    /// Variables Deno needs: its cache, the registries, and no colours or update checks.
    func environment(_ modules: Modules) -> [String: String] {
        var environment = [
            "DENO_DIR": modules.lockedCache ?? modules.ownCache ?? cache, "NO_COLOR": "1", "DENO_NO_UPDATE_CHECK": "1", "DENO_NO_PROMPT": "1",
        ]
        environment.merge(DenoCaches.registryEnvironment(npm: npmRegistry, jsr: jsrRegistry)) { $1 }
        return environment
    }

    /// The directories a run reads besides its own: the runtime and its cache.
    func readOnlyFiles(_ modules: Modules) -> [String] {
        [runtime, modules.lockedCache ?? cache]
    }
}

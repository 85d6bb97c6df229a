import Foundation

/// Where a worker process keeps what its TypeScript jobs share: Sluice's runtime files
/// (``DenoRuntime``, `<worker scratch>/deno/runtime`) and Deno's cache (`DENO_DIR`,
/// `<worker scratch>/deno/cache`). Both are shown read-only to jobs; the cache is filled once, by a
/// warm-up run of Sluice's own code when the worker starts, so a job can neither read another
/// job's compiled code nor leave any for the next.
struct DenoSetup: Sendable {
    let executable: String
    let runtime: String
    let cache: String

    init(executable: String, directory: String) throws(ScratchError) {
        self.executable = executable
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

    /// The command that runs the script in `directory` (`script.ts`, `context.json`) with
    /// `permissions`, the job's channel `socket` reachable, and a `same_worker` flow's `shared`
    /// folder readable and writable.
    func command(directory: String, permissions: DenoPermissions, socket: String? = nil, shared: String? = nil) -> (
        executable: String, arguments: [String]
    ) {
        let arguments =
            ["run", "--quiet", "--no-prompt", "--no-config", "--no-lock", "--import-map", runtime + "/" + DenoRuntime.importMapFile]
            + permissions.flags(directory: directory, runtime: runtime, socket: socket, shared: shared)
            + [runtime + "/" + DenoRuntime.runnerFile, directory]
        return (executable, arguments)
    }

    /// The command of a dedicated Deno process for the script in `home` (`script.ts`), whose jobs'
    /// directories are made inside `home`; each job's channel listens at `home/.channel` in turn
    /// (Deno's permissions name a socket by its exact path).
    func dedicatedCommand(home: String, permissions: DenoPermissions) -> (executable: String, arguments: [String]) {
        let arguments =
            ["run", "--quiet", "--no-prompt", "--no-config", "--no-lock", "--import-map", runtime + "/" + DenoRuntime.importMapFile]
            + permissions.flags(directory: home, runtime: runtime, socket: home + "/" + ChannelServer.socketName)
            + [runtime + "/" + DenoRuntime.dedicatedFile, home]
        return (executable, arguments)
    }

    /// Variables Deno needs: its cache, and no colours or update checks.
    var environment: [String: String] {
        ["DENO_DIR": cache, "NO_COLOR": "1", "DENO_NO_UPDATE_CHECK": "1", "DENO_NO_PROMPT": "1"]
    }
}

import Foundation
import Glibc
import SluiceCore
import SluiceScripts

extension ScriptRunner {
    /// What to start for one run.
    struct Command {
        var executable: String
        var arguments: [String]
        /// Files and directories outside the run's directory the command reads (cached scripts,
        /// runtime files), shown read-only.
        var readOnlyFiles: [String] = []
        /// Variables the runtime needs on top of the job's.
        var environment: [String: String] = [:]
    }

    /// Writes what the run needs into its directory and says what to start.
    func prepare(_ run: ScriptRun, in directory: String, prepared: Prepared, channel: JobChannel? = nil, shared: String? = nil) async throws
        -> Command
    {
        var command = try await command(for: run, in: directory, prepared: prepared, channel: channel, shared: shared)
        if channel != nil, run.language != .deno { command.readOnlyFiles.append(prepared.helpers) }
        return command
    }

    private func command(for run: ScriptRun, in directory: String, prepared: Prepared, channel: JobChannel?, shared: String?) async throws
        -> Command
    {
        let files = FileManager.default
        for (name, content) in run.supportFiles {
            let path = directory + "/" + name
            if name.hasPrefix("bin/") {
                try files.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                guard files.createFile(atPath: path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o700]) else {
                    throw ScratchError("cannot write \(path)")
                }
            } else {
                try Self.write(content, to: path)
            }
        }
        switch run.language {
        case .bash:
            if let hash = run.contentHash {
                let (path, names) = try prepared.scriptFiles.bashScript(hash: hash, content: run.content)
                return Command(
                    executable: settings.bashPath, arguments: [path] + names.map { Self.bashArgument(run.arguments[$0]) }, readOnlyFiles: [path])
            }
            let path = directory + "/script.sh"
            try Self.write(run.content, to: path)
            let names = BashArguments.declaredNames(in: run.content)
            return Command(executable: settings.bashPath, arguments: [path] + names.map { Self.bashArgument(run.arguments[$0]) })
        case .python3:
            try Self.write(run.content, to: directory + "/script.py")
            try Self.write(PythonWrapper.source, to: directory + "/" + PythonWrapper.fileName)
            try Self.write(run.arguments.jsonText, to: directory + "/args.json")
            var command = Command(executable: settings.pythonPath, arguments: ["-u", directory + "/" + PythonWrapper.fileName])
            if let lock = run.lock {
                let environment: String
                do {
                    environment = try await prepared.environments.directory(for: lock)
                } catch {
                    throw RunFailure(error.description)
                }
                command.executable = environment + "/bin/python"
                command.readOnlyFiles.append(environment)
            }
            return command
        case .deno:
            guard let deno = prepared.deno else {
                throw RunFailure("deno is not installed on this worker (make deps installs it into .venv-tools; or pass worker --deno PATH)")
            }
            let parameters: [String]
            do {
                parameters = try run.mainParameters()
            } catch {
                throw RunFailure(error.description)
            }
            try Self.write(run.content, to: directory + "/script.ts")
            let modules = try await denoModules(for: run, in: directory, prepared: prepared)
            try Self.write(denoContext(run, parameters: parameters, channel: channel, directory: directory).jsonText, to: directory + "/context.json")
            let (executable, arguments) = deno.command(
                directory: directory, modules: modules, permissions: settings.denoPermissions, socket: channel?.path, shared: shared)
            return Command(
                executable: executable, arguments: arguments, readOnlyFiles: deno.readOnlyFiles(modules), environment: deno.environment(modules))
        }
    }

    /// Where a TypeScript run's modules come from: its import map, written into `directory`, and —
    /// for a script with a lock — the Deno cache of its lock, filled first if needed (a script
    /// that fetches packages without a lock gets a cache of its own in `directory`).
    func denoModules(for run: ScriptRun, in directory: String, prepared: Prepared) async throws -> DenoSetup.Modules {
        guard let deno = prepared.deno else { throw RunFailure("deno is not installed on this worker") }
        var lock: TypeScriptLock?
        if let text = run.lock {
            do {
                lock = try TypeScriptLock(parsing: text)
            } catch {
                throw RunFailure("the script's lock cannot be read: \(error.description)")
            }
        }
        let importMap = deno.importMap(for: run.content, lock: lock)
        var modules = DenoSetup.Modules(importMap: directory + "/import-map.json")
        try Self.write(importMap, to: modules.importMap)
        if let text = run.lock, let caches = prepared.denoCaches {
            do {
                modules.lockedCache = try await caches.directory(for: text, script: run.content, importMap: importMap)
            } catch {
                throw RunFailure(error.description)
            }
        } else if TypeScriptImportMap.needsLock(TypeScriptImports.specifiers(in: run.content)) {
            let own = directory + "/.deno"
            guard mkdir(own, 0o700) == 0 || errno == EEXIST else { throw ScratchError("cannot create \(own)") }
            modules.ownCache = own
        }
        return modules
    }

    /// What the Deno runner reads: the arguments, `main`'s parameter names, the job's id, state
    /// path and environment (for `Bun.env`), whether it uses `Bun`, why the imports that cannot
    /// resolve here fail (``TypeScriptImportMap/unsupportedMessage(_:)``), and its channel (socket and
    /// token), through which `windmill-client` asks for variables, resources, state and resume links.
    func denoContext(_ run: ScriptRun, parameters: [String], channel: JobChannel?, directory: String) -> JSONValue {
        var environment = baseEnvironment
        for (name, value) in run.environment { environment[name] = value }
        environment["HOME"] = directory
        environment["TMPDIR"] = directory
        return [
            "args": run.arguments, "parameters": .array(parameters.map { .string($0) }),
            "jobID": run.environment["SLUICE_JOB_ID"].map { .string($0) } ?? .null,
            "statePath": run.environment["SLUICE_STATE_PATH"].map { .string($0) } ?? .null,
            "env": JSONValue(strings: environment), "bun": .bool(BunCompatibility.usesBun(run.content)),
            "unsupported": JSONValue(
                strings: Dictionary(
                    TypeScriptImports.specifiers(in: run.content).compactMap { specifier in
                        TypeScriptImportMap.unsupportedMessage(specifier).map { (specifier, $0) }
                    }, uniquingKeysWith: { first, _ in first })),
            "channel": channel.map { ["path": .string($0.path), "token": .string($0.token)] } ?? .null,
        ]
    }

    /// Writes an owner-only file (the run's directory is owner-only too). A plain open/write/close:
    /// `FileManager.createFile` writes a temporary file, fsyncs and renames it — milliseconds per
    /// file, for files that live as long as one job.
    static func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw ScratchError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        if let failure = DescriptorWriter.writeAll(Array(text.utf8), to: descriptor) { throw ScratchError("cannot write \(path): \(failure)") }
    }

    /// A JSON argument as bash sees it: strings as they are, missing as empty, others as JSON text.
    static func bashArgument(_ value: JSONValue?) -> String {
        switch value {
        case .none, .null?: ""
        case .string(let string)?: string
        case let other?: other.jsonText
        }
    }
}

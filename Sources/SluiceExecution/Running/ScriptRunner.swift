import Foundation
public import SluiceCore
import SluiceScripts
import Subprocess
import Synchronization
import SystemPackage

/// How scripts are run on this worker.
public struct ScriptRunnerSettings: Sendable {
    /// The root of the worker's scratch space (see ``ScratchSpace``): each worker process gets an
    /// owner-only directory under it for its runs and its script cache.
    public var scratchRoot: String
    /// Where Python virtualenvs are kept (`<cache root>/venvs`), shared by the worker processes of
    /// the user and kept across restarts; owner-only like the scratch root.
    public var cacheRoot: String
    public var bashPath: String
    /// The python3 executable (see ``ToolLocator``).
    public var pythonPath: String
    /// The deno executable TypeScript runs on (see ``ToolLocator``); `nil` when none was found, and
    /// TypeScript jobs then fail saying so.
    public var denoPath: String?
    /// The uv that builds Python jobs' virtualenvs from their locks; `nil` when none was found, and
    /// jobs with dependencies then fail saying so.
    public var uvPath: String?
    /// Variables for uv on top of the worker's own `UV_*`, `PIP_*`, proxy and certificate ones
    /// (`UV_INDEX_URL`, `UV_FIND_LINKS`…).
    public var uvEnvironment: [String: String]
    /// How python3 jobs run: a warm fork server per interpreter (default), a process each, or dedicated.
    public var pythonRunner: PythonRunnerMode
    /// Whether every TypeScript script runs in dedicated Deno processes (else only those marked
    /// `// sluice: dedicated`; the rest start a Deno process per job).
    public var denoDedicated: Bool
    /// The Deno permissions every TypeScript job gets besides reading and writing its scratch
    /// directory (see ``DenoPermissions``). Default: `net`.
    public var denoPermissions: DenoPermissions
    /// The npm registry TypeScript jobs' packages come from (Deno's `NPM_CONFIG_REGISTRY`); `nil`:
    /// npm's. Jobs get it too: Deno finds cached packages under the registry's host.
    public var npmRegistry: String?
    /// The jsr registry (Deno's `JSR_URL`); `nil`: jsr.io.
    public var jsrRegistry: String?
    /// Names of the worker's environment variables passed on to scripts. Anything naming Redis is
    /// never passed, whatever this list says.
    public var passedEnvironment: [String]
    /// Most bytes of stdout+stderr kept per job.
    public var logCap: Int
    /// Largest result a job may return, as JSON bytes (a larger one fails the job, read no further);
    /// an error text is cut at it.
    public var resultLimit: Int
    /// How scripts are confined.
    public var sandbox: SandboxSettings
    /// How bash jobs run in the sandbox: in a warm sandbox per slot (default), or in a bubblewrap
    /// sandbox made for each job.
    public var bashRunner: BashRunnerMode
    /// The worker executable that serves slot sandboxes (``SlotSandboxLauncher``): by default the
    /// `worker` beside the running executable; `nil` when there is none, and bash jobs then get a
    /// sandbox each.
    public var slotLauncher: String?

    public static let defaultPassedEnvironment = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME"]

    public init(
        scratchRoot: String? = nil,
        cacheRoot: String? = nil,
        bashPath: String = "/bin/bash",
        pythonPath: String? = nil,
        denoPath: String? = nil,
        uvPath: String? = nil,
        uvEnvironment: [String: String] = [:],
        denoPermissions: DenoPermissions = DenoPermissions(),
        npmRegistry: String? = nil,
        jsrRegistry: String? = nil,
        pythonRunner: PythonRunnerMode = .fork,
        denoDedicated: Bool = false,
        passedEnvironment: [String] = ScriptRunnerSettings.defaultPassedEnvironment,
        logCap: Int = 1 << 20,
        resultLimit: Int = 4 << 20,
        sandbox: SandboxSettings = SandboxSettings(),
        bashRunner: BashRunnerMode = .slot,
        slotLauncher: String? = SlotSandboxes.siblingWorker()
    ) {
        self.scratchRoot = scratchRoot ?? ScratchSpace.defaultRoot
        self.cacheRoot = cacheRoot ?? (scratchRoot == nil ? ScratchSpace.defaultCacheRoot(scratchRoot: self.scratchRoot) : self.scratchRoot)
        self.bashPath = bashPath
        self.pythonPath = ToolLocator.python(explicit: pythonPath) ?? "/usr/bin/python3"
        self.denoPath = ToolLocator.deno(explicit: denoPath)
        self.uvPath = ToolLocator.uv(explicit: uvPath)
        self.uvEnvironment = uvEnvironment
        self.denoPermissions = denoPermissions
        self.npmRegistry = npmRegistry
        self.jsrRegistry = jsrRegistry
        self.pythonRunner = pythonRunner
        self.denoDedicated = denoDedicated
        self.passedEnvironment = passedEnvironment.filter { !$0.uppercased().contains("REDIS") }
        self.logCap = logCap
        self.resultLimit = resultLimit
        self.sandbox = sandbox
        self.bashRunner = bashRunner
        self.slotLauncher = slotLauncher
    }
}

/// One script to run.
public struct ScriptRun: Sendable {
    /// Where what the job prints goes while it runs (every ``liveLogInterval``, when it
    /// changed); `nil`: only with its outcome.
    public var liveLogs: (@Sendable (String) async -> Void)?
    public var liveLogInterval: Duration = .seconds(1)
    public var language: ScriptLanguage
    public var content: String
    public var arguments: JSONValue
    /// Variables set for the script on top of the passed-through ones (SLUICE_JOB_ID, the job's own).
    public var environment: [String: String]
    public var timeout: Duration
    /// Extra files written next to the script (helper modules), by file name.
    public var supportFiles: [String: String]
    /// The content's hash, when known: bash scripts are then written once and reused.
    public var contentHash: String?
    /// The lock stored with the script's version: a Python script's (uv's hash-pinned
    /// requirements; the job runs in the virtualenv built from it) or a TypeScript script's
    /// (``TypeScriptLock``; the job runs with the Deno cache filled from it, fetching nothing).
    public var lock: String?
    /// What answers the job's channel (variables, resources, state, resume links); `nil`: the job
    /// gets no channel.
    public var channel: (any JobChannelHandler)?
    /// Whose rights the job runs with (its script's path, or an inline step's flow): a dedicated
    /// process serves the jobs of one script version with one set of rights, never another's.
    public var rights = Caller(paths: [])
    /// What knows the secrets the job holds (its arguments' and what it reads through its channel),
    /// whether or not it got a channel: a dedicated process remembers them for its later jobs.
    public var services: (any JobChannelHandler)?
    /// For a step of a `same_worker` flow: the flow run's id, whose `./shared` folder (on this
    /// worker, kept until the run ends) the job sees in its scratch directory.
    public var sharedFolder: String?

    public init(
        language: ScriptLanguage,
        content: String,
        arguments: JSONValue,
        environment: [String: String] = [:],
        timeout: Duration,
        supportFiles: [String: String] = [:],
        contentHash: String? = nil,
        lock: String? = nil
    ) {
        self.language = language
        self.content = content
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
        self.supportFiles = supportFiles
        self.contentHash = contentHash
        self.lock = lock
    }
}

/// What a run produced: the outcome to record and the captured logs.
public struct ScriptRunResult: Sendable {
    public var outcome: JobOutcome
    public var logs: String
    /// Secret values that earlier jobs of the same dedicated process read: they may be in this
    /// job's memory, so whoever keeps its outcome and logs masks them too.
    public var inherited = SecretRedactor()
}

/// Runs bash, python3 and TypeScript (Deno) scripts as child processes: in a scratch directory
/// removed afterwards, in their own process group (so a timeout kills every process they started),
/// with a filtered environment, output captured into a capped log.
public struct ScriptRunner: Sendable {
    public let settings: ScriptRunnerSettings
    let baseEnvironment: [String: String]
    let workspace = Workspace()

    /// The scratch space, script cache and sandbox, set up once by ``prepare()``; and the
    /// expression engine, started on first use.
    final class Workspace: Sendable {
        let prepared = Mutex<Prepared?>(nil)
        let expressions = Mutex<DenoExpressionEngine?>(nil)
        /// Where the long-lived helpers (warm runners, the expression engine) are started, so
        /// that their sandboxes die with the worker and not with a pool thread (``SpawningThread``).
        let spawner = SpawningThread(name: "sluice.spawn")
        /// The Deno warm-up run (it fills the cache TypeScript jobs see read-only): TypeScript
        /// jobs wait for it; bash and Python jobs do not.
        let denoWarmUp = Mutex<Task<Void, Never>?>(nil)
    }

    /// What ``prepare()`` set up.
    struct Prepared: Sendable {
        var scratch: ScratchSpace
        var scriptFiles: ScriptFileCache
        var sandbox: BubblewrapSandbox?
        /// Deno's runtime files and cache, when deno was found.
        var deno: DenoSetup?
        /// TypeScript jobs' Deno caches, one per lock (when deno was found).
        var denoCaches: DenoCaches?
        /// Python jobs' virtualenvs, one per lock.
        var environments: PythonEnvironments
        /// Warm python runners: fork servers and dedicated processes.
        var warm = WarmRunners()
        /// Warm sandboxes for bash jobs, one per job running at a time.
        var slots = WarmRunners(idleLimit: 256)
        /// Every job's channel.
        var channels: ChannelServer
        /// The helper modules and commands jobs reach their channel with (``JobHelpers``).
        var helpers: String
    }

    public init(settings: ScriptRunnerSettings, processEnvironment: [String: String]? = nil) {
        self.settings = settings
        let processEnvironment = processEnvironment ?? ProcessInfo.processInfo.environment
        var base: [String: String] = [:]
        for name in settings.passedEnvironment {
            if let value = processEnvironment[name] { base[name] = value }
        }
        if base["PATH"] == nil { base["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        self.baseEnvironment = base
    }

    /// Why TypeScript jobs cannot use their channel (`windmill-client`, `sluice` helpers) on this
    /// worker, or nil when they can: Deno reaches a Unix socket only by a path that fits a socket
    /// address (107 bytes; python reaches longer ones through `/proc/self/fd`, which Deno's
    /// permissions do not allow), and a job's socket lies in its scratch directory. Known once
    /// ``prepare()`` has made the scratch space.
    public var denoChannelNotice: String? {
        guard settings.denoPath != nil, let scratch = workspace.prepared.withLock({ $0?.scratch }) else { return nil }
        // The longest a job's socket path gets: a job id's label (26 characters) and the random suffix.
        let longest = (scratch.runs + "/" + String(repeating: "x", count: 26) + "-ffffffff/" + ChannelServer.socketName).utf8.count
        guard longest >= ChannelServer.socketAddressLimit else { return nil }
        let excess = longest - ChannelServer.socketAddressLimit + 1
        return "the scratch root \(settings.scratchRoot) is too long for TypeScript jobs' channel: their socket paths reach \(longest) bytes, "
            + "over the \(ChannelServer.socketAddressLimit - 1) a Unix socket address holds, and Deno cannot reach them another way — "
            + "their windmill-client calls (variables, resources, resume links, running scripts) will fail; "
            + "a --scratch at least \(excess) bytes shorter avoids it"
    }

    /// Sets up the scratch space (checking its root, removing dead workers' directories), checks
    /// that the sandbox works here, and prepares Deno's runtime files and cache. A worker calls it
    /// before taking jobs and refuses to start when it throws; ``run(_:label:killer:)`` calls it
    /// on first use otherwise.
    public func prepare() async throws {
        if workspace.prepared.withLock({ $0 != nil }) { return }
        let scratch = try ScratchSpace(root: settings.scratchRoot)
        if settings.cacheRoot != settings.scratchRoot { try ScratchSpace.secureRoot(settings.cacheRoot) }
        var sandbox: BubblewrapSandbox?
        if settings.sandbox.mode == .bubblewrap {
            let made = BubblewrapSandbox(
                settings: settings.sandbox, scratchRoot: settings.scratchRoot,
                interpreters: [settings.bashPath, settings.pythonPath] + (settings.denoPath.map { [$0] } ?? []))
            let probeDirectory = try scratch.makeRunDirectory(label: "probe")
            defer { try? FileManager.default.removeItem(atPath: probeDirectory) }
            try await made.probe(directory: probeDirectory)
            sandbox = made
        }
        let helpers = scratch.directory + "/helpers"
        try JobHelpers.install(in: helpers, python: settings.pythonPath)
        var ready = Prepared(
            scratch: scratch, scriptFiles: ScriptFileCache(directory: scratch.scripts), sandbox: sandbox,
            environments: PythonEnvironments(
                root: settings.cacheRoot + "/venvs", uv: settings.uvPath, python: settings.pythonPath, extraEnvironment: settings.uvEnvironment),
            channels: try ChannelServer(), helpers: helpers)
        if let denoPath = settings.denoPath {
            let deno = try DenoSetup(
                executable: denoPath, directory: scratch.directory + "/deno", npmRegistry: settings.npmRegistry, jsrRegistry: settings.jsrRegistry)
            ready.deno = deno
            ready.denoCaches = DenoCaches(
                root: settings.cacheRoot + "/deno", deno: denoPath, npmRegistry: settings.npmRegistry, jsrRegistry: settings.jsrRegistry)
        }
        let kept = workspace.prepared.withLock { prepared -> Bool in
            if prepared == nil {
                prepared = ready
                return true
            }
            return false
        }
        if !kept {
            ready.channels.shutDown()
            return
        }
        if let deno = ready.deno {
            let warmed = ready
            let runner = self
            workspace.denoWarmUp.withLock { $0 = Task { await runner.warmUp(deno, prepared: warmed) } }
        }
    }

    /// Waits for the Deno warm-up, if one runs (what a TypeScript job does before it starts).
    public func denoWarmedUp() async {
        if let warmUp = workspace.denoWarmUp.withLock({ $0 }) { await warmUp.value }
    }

    /// This worker process's scratch directory (after ``prepare()``).
    public var scratchDirectory: String? { workspace.prepared.withLock { $0?.scratch.directory } }

    /// Runs `run` to completion (or until `killer` fires) and reports its outcome. Never throws:
    /// every failure, including failing to start, is a failure outcome with a clear message.
    public func run(_ run: ScriptRun, label: String, killer: ProcessKiller) async -> ScriptRunResult {
        let prepared: Prepared
        do {
            try await prepare()
            guard let ready = workspace.prepared.withLock({ $0 }) else { throw ScratchError("the scratch space is not ready") }
            prepared = ready
            if run.language == .deno { await denoWarmedUp() }
        } catch {
            return ScriptRunResult(outcome: .failure("cannot prepare the job's sandbox: \(error)"), logs: "")
        }
        // Canceled or timed out while it waited (for the sandbox, Deno's warm-up): it never starts.
        if let killed = killedOutcome(killer) { return ScriptRunResult(outcome: killed, logs: "") }
        var result: ScriptRunResult
        // A job sharing a flow's folder runs as a process of its own (warm runners see only their own directories).
        if run.sharedFolder == nil, let mode = warmMode(for: run, prepared: prepared) {
            result = await runWarm(run, mode: mode, label: label, killer: killer, prepared: prepared)
        } else if runsInSlotSandbox(run, prepared: prepared) {
            result = await runInSlotSandbox(run, label: label, killer: killer, prepared: prepared)
        } else {
            result = await self.run(run, label: label, killer: killer, prepared: prepared)
        }
        result.outcome = capped(result.outcome)
        return result
    }

    /// Ends the warm runners and the expression engine and closes the channels (the worker is
    /// stopping; a process that hosts several runners, a test run, keeps no engine behind).
    public func shutDown() {
        workspace.expressions.withLock { $0 }?.stop()
        let prepared = workspace.prepared.withLock { $0 }
        prepared?.warm.terminateAll()
        prepared?.slots.terminateAll()
        prepared?.channels.shutDown()
    }

    func run(_ run: ScriptRun, label: String, killer: ProcessKiller, prepared: Prepared, cacheWritable: Bool = false) async -> ScriptRunResult {
        let collector = LogCollector(logCap: settings.logCap)
        let directory: String
        do {
            directory = try prepared.scratch.makeRunDirectory(label: label)
        } catch {
            return ScriptRunResult(outcome: .failure("cannot make the job's scratch directory: \(error)"), logs: "")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let channel = try run.channel.map { _ in try prepared.channels.open(in: directory) }
            defer { channel?.close() }
            let shared = try run.sharedFolder.map { try prepared.scratch.sharedFolder(for: $0, linkedFrom: directory) }
            var command = try await prepare(run, in: directory, prepared: prepared, channel: channel, shared: shared)
            if let sandbox = prepared.sandbox {
                var writable: [String] = shared.map { [$0] } ?? []
                if cacheWritable, let cache = prepared.deno?.cache { writable.append(cache) }
                (command.executable, command.arguments) = sandbox.command(
                    executable: command.executable, arguments: command.arguments, directory: directory, readOnlyFiles: command.readOnlyFiles,
                    writable: writable)
            }
            var environment = baseEnvironment
            for (name, value) in run.environment { environment[name] = value }
            for (name, value) in command.environment { environment[name] = value }
            environment["TMPDIR"] = directory
            environment["HOME"] = directory
            if run.supportFiles.keys.contains(where: { $0.hasPrefix("bin/") }) {
                environment["PATH"] = directory + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
            }
            if let channel {
                for (name, value) in Self.channelEnvironment(channel, helpers: prepared.helpers, path: environment["PATH"]) {
                    environment[name] = value
                }
            }
            let status = try await LiveLogPump.running(every: run.liveLogInterval, source: { collector.logText }, sink: run.liveLogs) {
                try await serving(channel, with: run.channel) {
                    try await execute(
                        command, environment: environment, directory: directory, timeout: run.timeout, killer: killer, collector: collector,
                        started: { channel?.admit(.host($0)) })
                }
            }
            let outcome = interpret(status, language: run.language, directory: directory, collector: collector, killer: killer)
            return ScriptRunResult(outcome: outcome, logs: collector.logText)
        } catch {
            return couldNotRun(run, error, collector: collector, killer: killer)
        }
    }

    /// A run that failed before its process ended: what it printed so far, and why (a
    /// ``RunFailure`` says it in full).
    func couldNotRun(_ run: ScriptRun, _ error: any Error, collector: LogCollector, killer: ProcessKiller) -> ScriptRunResult {
        killer.finish()
        let message = (error as? RunFailure)?.description ?? "could not run the \(run.language.rawValue) script: \(error)"
        return ScriptRunResult(outcome: .failure(message), logs: collector.logText)
    }

    /// Runs a prepared command in its own process group, collecting its output, until it exits or
    /// `killer` fires (the timeout fires it too).
    private func execute(
        _ command: Command, environment: [String: String], directory: String, timeout: Duration, killer: ProcessKiller, collector: LogCollector,
        started: @Sendable (Int32) -> Void = { _ in }
    ) async throws -> TerminationStatus {
        var options = PlatformOptions()
        options.processGroupID = 0
        let execution = try await Subprocess.run(
            .path(FilePath(command.executable)),
            arguments: Arguments(command.arguments),
            environment: .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
            workingDirectory: FilePath(directory),
            platformOptions: options,
            input: .none,
            output: .sequence,
            error: .sequence
        ) { execution in
            let pid = execution.processIdentifier.value
            killer.attach(processGroup: pid)
            started(pid)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await buffer in execution.standardOutput {
                            collector.append(buffer.withUnsafeBytes { Array($0) }, fromStandardOutput: true)
                        }
                    } catch {}
                }
                group.addTask {
                    do {
                        for try await buffer in execution.standardError {
                            collector.append(buffer.withUnsafeBytes { Array($0) }, fromStandardOutput: false)
                        }
                    } catch {}
                }
                let timer = killer.timer(timeout)
                await group.waitForAll()
                timer.cancel()
            }
        }
        // Whatever the script left in its process group goes with it (in the sandbox, its
        // PID namespace has ended already, taking every process it started).
        killer.finish()
        return execution.terminationStatus
    }

    /// Runs the Deno runtime once with the worker's Deno cache writable, so it holds the runtime's
    /// compiled code before jobs (which see it read-only) start. Only Sluice's own code runs.
    private func warmUp(_ deno: DenoSetup, prepared: Prepared) async {
        let run = ScriptRun(language: .deno, content: DenoRuntime.warmUpScript, arguments: [:], timeout: .seconds(60))
        _ = await self.run(run, label: "deno-warm-up", killer: ProcessKiller(), prepared: prepared, cacheWritable: true)
    }
}

/// A failure to start a script, with the message the job fails with.
struct RunFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ScriptRun {
    /// The names of a TypeScript script's `main` parameters; none for a flow's preprocessor step
    /// whose script has no `main` (only its `preprocessor` runs).
    func mainParameters() throws(ScriptSignatureError) -> [String] {
        do {
            return try TypeScriptSignature.parameterNames(in: content)
        } catch {
            if arguments[TriggerField.preprocessOnlyArgument] != nil,
                (try? TypeScriptSignature.parameterNames(in: content, entrypoint: "preprocessor")) != nil
            {
                return []
            }
            throw error
        }
    }
}

import Foundation
public import SluiceCore
import Subprocess
import Synchronization
import SystemPackage

/// How scripts are run on this worker.
public struct ScriptRunnerSettings: Sendable {
    /// The root of the worker's scratch space (see ``ScratchSpace``): each worker process gets an
    /// owner-only directory under it for its runs and its script cache.
    public var scratchRoot: String
    public var bashPath: String
    /// The python3 executable (see ``InterpreterLocator``).
    public var pythonPath: String
    /// Names of the worker's environment variables passed on to scripts. Anything naming Redis is
    /// never passed, whatever this list says.
    public var passedEnvironment: [String]
    /// Most bytes of stdout+stderr kept per job.
    public var logCap: Int
    /// How scripts are confined.
    public var sandbox: SandboxSettings

    public static let defaultPassedEnvironment = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME"]

    public init(
        scratchRoot: String? = nil,
        bashPath: String = "/bin/bash",
        pythonPath: String? = nil,
        passedEnvironment: [String] = ScriptRunnerSettings.defaultPassedEnvironment,
        logCap: Int = 1 << 20,
        sandbox: SandboxSettings = SandboxSettings()
    ) {
        self.scratchRoot = scratchRoot ?? ScratchSpace.defaultRoot
        self.bashPath = bashPath
        self.pythonPath = InterpreterLocator.python(explicit: pythonPath) ?? "/usr/bin/python3"
        self.passedEnvironment = passedEnvironment.filter { !$0.uppercased().contains("REDIS") }
        self.logCap = logCap
        self.sandbox = sandbox
    }
}

/// One script to run.
public struct ScriptRun: Sendable {
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

    public init(
        language: ScriptLanguage,
        content: String,
        arguments: JSONValue,
        environment: [String: String] = [:],
        timeout: Duration,
        supportFiles: [String: String] = [:],
        contentHash: String? = nil
    ) {
        self.language = language
        self.content = content
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
        self.supportFiles = supportFiles
        self.contentHash = contentHash
    }
}

/// What a run produced: the outcome to record and the captured logs.
public struct ScriptRunResult: Sendable {
    public var outcome: JobOutcome
    public var logs: String
}

/// Runs bash and python3 scripts as child processes: in a scratch directory removed afterwards,
/// in their own process group (so a timeout kills every process they started), with a filtered
/// environment, output captured into a capped log.
public struct ScriptRunner: Sendable {
    public let settings: ScriptRunnerSettings
    private let baseEnvironment: [String: String]
    private let workspace = Workspace()

    /// The scratch space, script cache and sandbox, set up once by ``prepare()``.
    private final class Workspace: Sendable {
        struct Prepared: Sendable {
            var scratch: ScratchSpace
            var scriptFiles: ScriptFileCache
            var sandbox: BubblewrapSandbox?
        }

        let prepared = Mutex<Prepared?>(nil)
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

    /// Sets up the scratch space (checking its root, removing dead workers' directories) and checks
    /// that the sandbox works here. A worker calls it before taking jobs and refuses to start when
    /// it throws; ``run(_:label:killer:)`` calls it on first use otherwise.
    public func prepare() async throws {
        if workspace.prepared.withLock({ $0 != nil }) { return }
        let scratch = try ScratchSpace(root: settings.scratchRoot)
        var sandbox: BubblewrapSandbox?
        if settings.sandbox.mode == .bubblewrap {
            let made = BubblewrapSandbox(
                settings: settings.sandbox, scratchRoot: settings.scratchRoot, interpreters: [settings.bashPath, settings.pythonPath])
            let probeDirectory = try scratch.makeRunDirectory(label: "probe")
            defer { try? FileManager.default.removeItem(atPath: probeDirectory) }
            try await made.probe(directory: probeDirectory)
            sandbox = made
        }
        let ready = Workspace.Prepared(scratch: scratch, scriptFiles: ScriptFileCache(directory: scratch.scripts), sandbox: sandbox)
        workspace.prepared.withLock { prepared in
            if prepared == nil { prepared = ready }
        }
    }

    /// This worker process's scratch directory (after ``prepare()``).
    public var scratchDirectory: String? { workspace.prepared.withLock { $0?.scratch.directory } }

    /// Runs `run` to completion (or until `killer` fires) and reports its outcome. Never throws:
    /// every failure, including failing to start, is a failure outcome with a clear message.
    public func run(_ run: ScriptRun, label: String, killer: ProcessKiller) async -> ScriptRunResult {
        let collector = LogCollector(logCap: settings.logCap)
        let prepared: Workspace.Prepared
        do {
            try await prepare()
            guard let ready = workspace.prepared.withLock({ $0 }) else { throw ScratchError("the scratch space is not ready") }
            prepared = ready
        } catch {
            return ScriptRunResult(outcome: .failure("cannot prepare the job's sandbox: \(error)"), logs: "")
        }
        let directory: String
        do {
            directory = try prepared.scratch.makeRunDirectory(label: label)
        } catch {
            return ScriptRunResult(outcome: .failure("cannot make the job's scratch directory: \(error)"), logs: "")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            var command = try prepare(run, in: directory, scriptFiles: prepared.scriptFiles)
            if let sandbox = prepared.sandbox {
                (command.executable, command.arguments) = sandbox.command(
                    executable: command.executable, arguments: command.arguments, directory: directory, readOnlyFiles: command.readOnlyFiles)
            }
            var environment = baseEnvironment
            for (name, value) in run.environment { environment[name] = value }
            environment["TMPDIR"] = directory
            environment["HOME"] = directory
            if run.supportFiles.keys.contains(where: { $0.hasPrefix("bin/") }) {
                environment["PATH"] = directory + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
            }
            var options = PlatformOptions()
            options.processGroupID = 0
            let timeoutSeconds = Int(run.timeout.components.seconds)
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
                    let timer = Task {
                        try await Task.sleep(for: run.timeout)
                        killer.kill(.timedOut(seconds: timeoutSeconds))
                    }
                    await group.waitForAll()
                    timer.cancel()
                }
            }
            // Whatever the script left in its process group goes with it (in the sandbox, its
            // PID namespace has ended already, taking every process it started).
            killer.finish()
            let outcome = interpret(execution.terminationStatus, language: run.language, directory: directory, collector: collector, killer: killer)
            return ScriptRunResult(outcome: outcome, logs: collector.logText)
        } catch {
            killer.finish()
            return ScriptRunResult(outcome: .failure("could not run the \(run.language.rawValue) script: \(error)"), logs: collector.logText)
        }
    }

    private struct Command {
        var executable: String
        var arguments: [String]
        /// Files outside the run's directory the command reads (cached scripts), shown read-only.
        var readOnlyFiles: [String] = []
    }

    private func prepare(_ run: ScriptRun, in directory: String, scriptFiles: ScriptFileCache) throws -> Command {
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
                let (path, names) = try scriptFiles.bashScript(hash: hash, content: run.content)
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
            return Command(executable: settings.pythonPath, arguments: ["-u", directory + "/" + PythonWrapper.fileName])
        }
    }

    /// Writes an owner-only file (the run's directory is owner-only too).
    private static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ScratchError("cannot write \(path)")
        }
    }

    /// A JSON argument as bash sees it: strings as they are, missing as empty, others as JSON text.
    static func bashArgument(_ value: JSONValue?) -> String {
        switch value {
        case .none, .null?: ""
        case .string(let string)?: string
        case let other?: other.jsonText
        }
    }

    private func interpret(
        _ status: TerminationStatus,
        language: ScriptLanguage,
        directory: String,
        collector: LogCollector,
        killer: ProcessKiller
    ) -> JobOutcome {
        switch killer.reason {
        case .timedOut(let seconds)?: return .failure("timed out after \(seconds) s")
        case .canceled?: return .failure("canceled while running")
        case .shuttingDown?: return .failure("stopped: the worker shut down")
        case nil: break
        }
        switch language {
        case .python3:
            if let text = try? String(contentsOfFile: directory + "/result.json", encoding: .utf8) {
                if let value = try? JSONValue(parsing: text) { return .success(value) }
                return .failure("the script's result is not valid JSON")
            }
            if let text = try? String(contentsOfFile: directory + "/error.json", encoding: .utf8),
                let error = try? JSONValue(parsing: text)
            {
                let name = error["name"]?.stringValue ?? "Error"
                let message = error["message"]?.stringValue ?? ""
                let trace = error["traceback"]?.stringValue ?? ""
                return .failure("\(name): \(message)\n\(trace)")
            }
            return .failure("python3 \(Self.describe(status)) without a result\n\(collector.lastLogLines(20))")
        case .bash:
            guard case .exited(0) = status else {
                return .failure("bash \(Self.describe(status))\n\(collector.lastLogLines(20))")
            }
            guard let line = collector.lastStandardOutputLine else { return .success(.null) }
            if let value = try? JSONValue(parsing: line) { return .success(value) }
            return .success(.string(line))
        }
    }

    private static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        }
    }
}

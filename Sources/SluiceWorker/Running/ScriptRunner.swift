import Foundation
public import SluiceCore
import Subprocess
import SystemPackage

/// How scripts are run on this worker.
public struct ScriptRunnerSettings: Sendable {
    /// Where each run gets its scratch directory (removed afterwards).
    public var scratchRoot: String
    public var bashPath: String
    public var pythonPath: String
    /// Names of the worker's environment variables passed on to scripts. Anything naming Redis is
    /// never passed, whatever this list says.
    public var passedEnvironment: [String]
    /// Most bytes of stdout+stderr kept per job.
    public var logCap: Int

    public static let defaultPassedEnvironment = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME"]

    public init(
        scratchRoot: String? = nil,
        bashPath: String = "/bin/bash",
        pythonPath: String = "/usr/bin/env",
        passedEnvironment: [String] = ScriptRunnerSettings.defaultPassedEnvironment,
        logCap: Int = 1 << 20
    ) {
        self.scratchRoot = scratchRoot ?? (NSTemporaryDirectory() + "sluice-jobs")
        self.bashPath = bashPath
        self.pythonPath = pythonPath
        self.passedEnvironment = passedEnvironment.filter { !$0.uppercased().contains("REDIS") }
        self.logCap = logCap
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
    public var outcome: JobOutcomeValue
    public var logs: String
}

/// The outcome of a run, independent of the store's types.
public enum JobOutcomeValue: Sendable, Equatable {
    case success(JSONValue)
    case failure(String)
}

/// Runs bash and python3 scripts as child processes: in a scratch directory removed afterwards,
/// in their own process group (so a timeout kills every process they started), with a filtered
/// environment, output captured into a capped log.
public struct ScriptRunner: Sendable {
    public let settings: ScriptRunnerSettings
    private let baseEnvironment: [String: String]
    private let scriptFiles: ScriptFileCache

    public init(settings: ScriptRunnerSettings, processEnvironment: [String: String]? = nil) {
        self.settings = settings
        self.scriptFiles = ScriptFileCache(root: settings.scratchRoot)
        let processEnvironment = processEnvironment ?? ProcessInfo.processInfo.environment
        var base: [String: String] = [:]
        for name in settings.passedEnvironment {
            if let value = processEnvironment[name] { base[name] = value }
        }
        if base["PATH"] == nil { base["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        self.baseEnvironment = base
    }

    /// Runs `run` to completion (or until `killer` fires) and reports its outcome. Never throws:
    /// every failure, including failing to start, is a failure outcome with a clear message.
    public func run(_ run: ScriptRun, label: String, killer: ProcessKiller) async -> ScriptRunResult {
        let directory = settings.scratchRoot + "/" + label + "-" + UUID().uuidString.prefix(8)
        let files = FileManager.default
        defer { try? files.removeItem(atPath: directory) }
        let collector = LogCollector(logCap: settings.logCap)
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let command = try prepare(run, in: directory)
            var environment = baseEnvironment
            for (name, value) in run.environment { environment[name] = value }
            environment["TMPDIR"] = directory
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
            killer.detach()
            let outcome = interpret(execution.terminationStatus, language: run.language, directory: directory, collector: collector, killer: killer)
            return ScriptRunResult(outcome: outcome, logs: collector.logText)
        } catch {
            killer.detach()
            return ScriptRunResult(outcome: .failure("could not run the \(run.language.rawValue) script: \(error)"), logs: collector.logText)
        }
    }

    private struct Command {
        var executable: String
        var arguments: [String]
    }

    private func prepare(_ run: ScriptRun, in directory: String) throws -> Command {
        for (name, content) in run.supportFiles {
            let path = directory + "/" + name
            if name.hasPrefix("bin/") {
                try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
                try content.write(toFile: path, atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            } else {
                try content.write(toFile: path, atomically: false, encoding: .utf8)
            }
        }
        switch run.language {
        case .bash:
            var path = directory + "/script.sh"
            var names: [String]
            if let hash = run.contentHash {
                (path, names) = try scriptFiles.bashScript(hash: hash, content: run.content)
            } else {
                try run.content.write(toFile: path, atomically: false, encoding: .utf8)
                names = BashArguments.declaredNames(in: run.content)
            }
            let values = names.map { name in Self.bashArgument(run.arguments[name]) }
            return Command(executable: settings.bashPath, arguments: [path] + values)
        case .python3:
            try run.content.write(toFile: directory + "/script.py", atomically: false, encoding: .utf8)
            try PythonWrapper.source.write(toFile: directory + "/" + PythonWrapper.fileName, atomically: false, encoding: .utf8)
            try run.arguments.jsonText.write(toFile: directory + "/args.json", atomically: false, encoding: .utf8)
            let wrapper = directory + "/" + PythonWrapper.fileName
            if settings.pythonPath == "/usr/bin/env" {
                return Command(executable: "/usr/bin/env", arguments: ["python3", "-u", wrapper])
            }
            return Command(executable: settings.pythonPath, arguments: ["-u", wrapper])
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
    ) -> JobOutcomeValue {
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

import CSluiceLinux
import Dispatch
import Foundation
import Glibc
import SluiceCore
import SluiceScripts
import Subprocess

/// How python3 jobs are run (`worker --python-runner`).
public enum PythonRunnerMode: String, Sendable, CaseIterable {
    /// A fresh interpreter per job (in its own bubblewrap sandbox).
    case process
    /// A child forked per job from a warm fork server (the default): still one process per job,
    /// isolated by Landlock inside the server's sandbox; falls back to `process` where the kernel
    /// lacks Landlock ABI 6.
    case fork
    /// Every script version gets long-lived processes that run its jobs in-process, one at a time.
    case dedicated
}

extension ScriptRunner {
    /// The marker a python3 script carries to run dedicated whatever the worker's mode.
    static let dedicatedMarker = "# sluice: dedicated"

    /// The marker a TypeScript script carries to run dedicated whatever the worker's mode.
    static let denoDedicatedMarker = "// sluice: dedicated"

    /// Whether `run` goes to a warm runner, and which kind.
    func warmMode(for run: ScriptRun, prepared: Prepared) -> PythonRunnerMode? {
        switch run.language {
        case .python3:
            guard prepared.warm.unavailable == nil else { return nil }
            if settings.pythonRunner == .dedicated || run.content.contains(Self.dedicatedMarker) { return .dedicated }
            return settings.pythonRunner == .fork ? .fork : nil
        case .deno:
            guard prepared.deno != nil, settings.denoDedicated || run.content.contains(Self.denoDedicatedMarker) else { return nil }
            return .dedicated
        case .bash:
            return nil
        }
    }

    /// Runs a python3 job (fork or dedicated) or a TypeScript job (dedicated) in a warm runner: its
    /// files written as for a cold run (plus `env.json`), its output collected from its own file,
    /// the same timeout and kill handling.
    func runWarm(_ run: ScriptRun, mode: PythonRunnerMode, label: String, killer: ProcessKiller, prepared: Prepared) async -> ScriptRunResult {
        let collector = LogCollector(logCap: settings.logCap)
        let deno = run.language == .deno
        var interpreter = deno ? (prepared.deno?.executable ?? "deno") : settings.pythonPath
        var readable: [String] = []
        var parameters: [String] = []
        if deno {
            do {
                parameters = try run.mainParameters()
            } catch {
                return ScriptRunResult(outcome: .failure(error.description), logs: "")
            }
        }
        if let lock = run.lock, !deno {
            do {
                let environment = try await prepared.environments.directory(for: lock)
                interpreter = environment + "/bin/python"
                readable.append(environment)
            } catch {
                return ScriptRunResult(outcome: .failure(error.description), logs: "")
            }
        }
        // A dedicated process keeps what its jobs leave in memory (secrets they read included):
        // it serves one script version for one set of rights — the same content pushed at another
        // path gets processes of its own.
        let key =
            interpreter + "\u{0}"
            + (mode == .dedicated ? (run.contentHash ?? ContentHash.of(run.content)) + "\u{0}" + run.rights.paths.joined(separator: "\u{0}") : "")
        let runner: WarmRunner
        do {
            if mode == .dedicated {
                runner = try await prepared.warm.checkOut(key) {
                    let home = try makeDirectory(
                        prepared.scratch.directory + "/dedicated/" + String(UInt64.random(in: 0...UInt64.max), radix: 16))
                    try Self.write(run.content, to: home + (deno ? "/script.ts" : "/script.py"))
                    if deno { return try await startDenoRunner(run, home: home, prepared: prepared) }
                    return try await startRunner(mode: .dedicated, interpreter: interpreter, readable: readable, home: home, prepared: prepared)
                }
            } else {
                let home = prepared.scratch.runs
                runner = try await prepared.warm.forkServer(key) {
                    try await startRunner(mode: .fork, interpreter: interpreter, readable: readable, home: home, prepared: prepared)
                }
            }
        } catch {
            if prepared.sandbox != nil, "\(error)".contains("Landlock ABI") {
                // This kernel cannot isolate forked jobs: run this job, and every later one, as a process.
                prepared.warm.markUnavailable("\(error)")
                return await self.run(run, label: label, killer: killer, prepared: prepared)
            }
            return ScriptRunResult(outcome: .failure("cannot start a warm \(deno ? "deno" : "python") runner: \(error)"), logs: "")
        }
        // A dedicated process this job ends (a crash, a kill) takes its home with it: removed
        // after the job's own directory inside it, once its output has been read.
        var discardHome = false
        defer { if discardHome, let home = runner.home { Self.remove(home) } }
        let directory: String
        do {
            directory = try makeDirectory(
                (runner.home ?? prepared.scratch.runs) + "/" + label + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
        } catch {
            return ScriptRunResult(outcome: .failure("cannot make the job's scratch directory: \(error)"), logs: "")
        }
        defer { Self.remove(directory) }
        let outputPath = directory + "/" + Self.outputFile
        var output: Int32 = -1
        var script: String?
        var job: String?
        // A forked job's arguments and environment, and its outcome, in memory files passed with
        // the message: no inode on the scratch disk for either (ext4's inode allocator was most of
        // a forked job's cost at hundreds per second).
        var jobFile: Int32 = -1
        var outcomeFile: Int32 = -1
        var outcomeIdentity = FileIdentity(descriptor: -1)
        defer {
            if outcomeFile >= 0 { close(outcomeFile) }
        }
        let channel: JobChannel?
        do {
            // A dedicated Deno process's jobs take turns at one socket path: Deno's permissions name it.
            let socketDirectory = deno && mode == .dedicated ? (runner.home ?? directory) : directory
            channel = try run.channel.map { _ in try prepared.channels.open(in: socketDirectory) }
            // A dedicated process runs the job in-process; a forked job's process is known once forked.
            if mode == .dedicated { channel?.admit(.host(runner.pid)) }
        } catch {
            return ScriptRunResult(outcome: .failure("cannot open the job's channel: \(error)"), logs: "")
        }
        defer { channel?.close() }
        do {
            for (name, content) in run.supportFiles where !name.hasPrefix("bin/") { try Self.write(content, to: directory + "/" + name) }
            try writeSupportCommands(run, in: directory)
            if mode == .fork {
                script = try prepared.scriptFiles.pythonScript(hash: run.contentHash ?? ContentHash.of(run.content), content: run.content)
            }
            if deno {
                try Self.write(
                    denoContext(run, parameters: parameters, channel: channel, directory: directory).jsonText, to: directory + "/context.json")
            } else {
                // One file for the arguments and the environment (none for a dedicated process,
                // which gets them in the message): every inode counts at hundreds of jobs per second.
                let environment = jobEnvironment(run, directory: directory, channel: channel, helpers: prepared.helpers).map {
                    JSONValue.string($0.key).jsonText + ":" + JSONValue.string($0.value).jsonText
                }
                let text = "{\"args\":" + run.arguments.jsonText + ",\"env\":{" + environment.joined(separator: ",") + "}}"
                if mode == .dedicated {
                    job = text
                } else {
                    jobFile = try Self.memoryFile("job", holding: text)
                    outcomeFile = try Self.memoryFile("outcome", holding: "")
                    outcomeIdentity = FileIdentity(descriptor: outcomeFile)
                }
            }
            output = open(outputPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard output >= 0 else { throw RunFailure("cannot open \(outputPath): \(String(cString: strerror(errno)))") }
        } catch {
            if jobFile >= 0 { close(jobFile) }
            if output >= 0 { close(output) }
            return ScriptRunResult(outcome: .failure("cannot prepare the job: \(error)"), logs: "")
        }
        // Killed while its runner started or its environment was built: it is not sent at all (a
        // dedicated process would start it before the kill that follows the message could end it).
        if let killed = killedOutcome(killer) {
            if jobFile >= 0 { close(jobFile) }
            close(output)
            if mode == .dedicated { prepared.warm.checkIn(key, runner: runner) }  // untouched: it serves the next job
            return ScriptRunResult(outcome: killed, logs: "")
        }
        let timer = killer.timer(run.timeout)
        defer { timer.cancel() }
        let finished: WarmRunner.Finished
        do {
            let dedicated = mode == .dedicated
            var descriptors = [output]
            if jobFile >= 0 {
                // The runner gets its own copy of the outcome file; ours stays to read the outcome.
                descriptors += [jobFile, dup(outcomeFile)]
            }
            let sent = descriptors
            var started: (@Sendable (Int32) -> Void)?
            if let channel, mode == .fork {
                let (server, serverStarted) = (runner.pid, runner.started)
                started = { pid in channel.admit(.forked(pid, server: server, serverStarted: serverStarted, level: prepared.sandbox == nil ? 0 : 1)) }
            }
            let cap = settings.logCap
            let soFar: @Sendable () -> String = {
                let collected = LogCollector(logCap: cap)
                Self.readOutput(outputPath, into: collected)
                return collected.logText
            }
            finished = try await LiveLogPump.running(every: run.liveLogInterval, source: soFar, sink: run.liveLogs) {
                try await serving(channel, with: run.channel) {
                    try await runner.run(directory: directory, script: script, job: job, descriptors: sent, started: started) {
                        (kill: @escaping @Sendable () -> Void) in
                        if dedicated {
                            killer.attach(kill: { runner.terminate() })
                        } else {
                            killer.attach(kill: kill)
                        }
                    }
                }
            }
        } catch {
            killer.finish()
            discardHome = true
            Self.readOutput(outputPath, into: collector)
            // A dedicated process killed for its job's timeout or cancel ends with the runner: say why.
            let outcome = killedOutcome(killer) ?? .failure("\(deno ? "deno" : "python3") \(error)\n\(collector.lastLogLines(20))")
            return ScriptRunResult(outcome: outcome, logs: collector.logText)
        }
        killer.finish()
        Self.readOutput(outputPath, into: collector)
        var inherited = SecretRedactor()
        if mode == .dedicated {
            inherited = runner.heldSecrets
            if let read = run.services?.secrets { runner.remember(read) }
            if killer.reason == nil, case .exited = finished.ending {
                prepared.warm.checkIn(key, runner: runner)
            } else {
                runner.terminate()
                discardHome = true
            }
        }
        if outcomeFile >= 0, FileIdentity(descriptor: outcomeFile) != outcomeIdentity {
            // Closed and reused by someone else in this process: never read another file's bytes.
            return ScriptRunResult(
                outcome: .failure("the job's outcome file was lost in the worker (its descriptor was closed elsewhere)"), logs: collector.logText,
                inherited: inherited)
        }
        var written = finished.outcome.map { BoundedText.text($0) } ?? .missing
        if finished.outcome == nil, outcomeFile >= 0 {
            // The outcome wraps the result in one object: a little more than the result limit.
            written = Self.readBounded(descriptor: outcomeFile, limit: settings.resultLimit + Self.outcomeOverhead)
        }
        if killer.reason == nil, case .tooLarge(let size) = written {
            return ScriptRunResult(outcome: outcomeTooLarge(size, descriptor: outcomeFile), logs: collector.logText, inherited: inherited)
        }
        if killer.reason == nil, case .text(let text) = written, let outcome = outcome(fromInline: text) {
            return ScriptRunResult(outcome: outcome, logs: collector.logText, inherited: inherited)
        }
        let status: TerminationStatus =
            switch finished.ending {
            case .exited(let code): .exited(code)
            case .signaled(let signal): .signaled(signal)
            }
        let outcome = interpret(status, language: run.language, directory: directory, collector: collector, killer: killer)
        return ScriptRunResult(outcome: outcome, logs: collector.logText, inherited: inherited)
    }

    /// Starts a runner in the sandbox (or bare with `--sandbox none`).
    private func startRunner(mode: PythonRunnerMode, interpreter: String, readable: [String], home: String, prepared: Prepared) async throws
        -> WarmRunner
    {
        let program = prepared.scratch.directory + "/" + WarmPythonProgram.fileName
        if !FileManager.default.fileExists(atPath: program) { try Self.write(WarmPythonProgram.source, to: program) }
        let sandboxed = prepared.sandbox != nil
        // /proc is readable, but another domain's /proc/<pid>/environ, mem, fd… are not (Landlock's ptrace rule).
        var visible: [String] = []
        let prefix = URL(fileURLWithPath: BubblewrapSandbox.canonical(settings.pythonPath)).deletingLastPathComponent().deletingLastPathComponent()
            .path
        for path in settings.sandbox.visiblePaths + settings.sandbox.readOnlyPaths + readable + ["/proc", prefix, prepared.helpers]
        where !visible.contains(path) && BubblewrapSandbox.kind(of: path) != .missing {
            visible.append(path)
        }
        let config: JSONValue = [
            "mode": .string(mode.rawValue), "landlock": .bool(sandboxed), "readable": .array(visible.map { .string($0) }),
            "devices": ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"], "directory": .string(home),
            "script": .string(home + "/script.py"), "helpers": .string(prepared.helpers + "/python"),
        ]
        var executable = interpreter
        var arguments = ["-u", "-I", program, config.jsonText]
        if let sandbox = prepared.sandbox {
            (executable, arguments) = sandbox.command(
                executable: interpreter, arguments: arguments, directory: home,
                readOnlyFiles: [program, prepared.helpers] + readable + (mode == .fork ? [prepared.scratch.scripts] : []))
        }
        var environment = baseEnvironment
        environment["HOME"] = home
        environment["TMPDIR"] = home
        let runner = try await WarmRunner.start(
            executable: executable, arguments: arguments, environment: environment,
            errorLog: prepared.scratch.directory + "/warm-" + String(UInt32.random(in: 0...UInt32.max), radix: 16) + ".log",
            home: mode == .dedicated ? home : nil, lineLimit: settings.resultLimit + Self.outcomeOverhead, spawner: workspace.spawner)
        return runner
    }

    /// Starts a dedicated Deno process for `run`'s script, written in `home`, in the sandbox (or
    /// bare with `--sandbox none`), with its import map and the cache of its lock.
    private func startDenoRunner(_ run: ScriptRun, home: String, prepared: Prepared) async throws -> WarmRunner {
        guard let deno = prepared.deno else { throw RunFailure("deno is not installed on this worker") }
        let modules = try await denoModules(for: run, in: home, prepared: prepared)
        var (executable, arguments) = deno.dedicatedCommand(
            home: home, modules: modules, permissions: settings.denoPermissions, bun: BunCompatibility.usesBun(run.content))
        if let sandbox = prepared.sandbox {
            (executable, arguments) = sandbox.command(
                executable: executable, arguments: arguments, directory: home, readOnlyFiles: deno.readOnlyFiles(modules))
        }
        var environment = baseEnvironment
        for (name, value) in deno.environment(modules) { environment[name] = value }
        environment["HOME"] = home
        environment["TMPDIR"] = home
        return try await WarmRunner.start(
            executable: executable, arguments: arguments, environment: environment,
            errorLog: prepared.scratch.directory + "/warm-" + String(UInt32.random(in: 0...UInt32.max), radix: 16) + ".log", home: home,
            lineLimit: settings.resultLimit + Self.outcomeOverhead, spawner: workspace.spawner)
    }

    /// What a warm runner's outcome may add around the result (`{"result": …}`, an error's fields).
    static let outcomeOverhead = 64 << 10

    /// A forked job's outcome file over the limit: a result too large, or an error whose text is
    /// cut (its first bytes kept, as JSON text).
    func outcomeTooLarge(_ size: Int, descriptor: Int32) -> JobOutcome {
        var head = [UInt8](repeating: 0, count: settings.resultLimit)
        let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let text = String(decoding: head.prefix(max(0, count)), as: UTF8.self)
        guard text.hasPrefix("{\"error\"") else { return resultTooLarge(size) }
        return capped(.failure("the script failed with an error of \(size) bytes; as written: \(text)"))
    }

    /// A warm runner's answer: `{"result": …}` or `{"error": {name, message, traceback}}`.
    func outcome(fromInline text: String) -> JobOutcome? {
        guard text.utf8.count <= settings.resultLimit + Self.outcomeOverhead else { return resultTooLarge(text.utf8.count) }
        guard !text.isEmpty else { return nil }
        guard let value = try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth + 1) else {
            return .failure("the script's result is not valid JSON (or nests deeper than \(JSONValue.maximumInputDepth) levels)")
        }
        if let result = value["result"] { return .success(result) }
        guard let error = value["error"] else { return nil }
        let name = error["name"]?.stringValue ?? "Error"
        return .failure("\(name): \(error["message"]?.stringValue ?? "")\n\(error["traceback"]?.stringValue ?? "")")
    }

    /// The job's variables: the passed-through ones, the job's own, its scratch directory as home,
    /// and its channel.
    func jobEnvironment(_ run: ScriptRun, directory: String, channel: JobChannel?, helpers: String) -> [String: String] {
        var environment = baseEnvironment
        for (name, value) in run.environment { environment[name] = value }
        environment["TMPDIR"] = directory
        environment["HOME"] = directory
        if run.supportFiles.keys.contains(where: { $0.hasPrefix("bin/") }) {
            environment["PATH"] = directory + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        }
        if let channel {
            for (name, value) in Self.channelEnvironment(channel, helpers: helpers, path: environment["PATH"]) { environment[name] = value }
        }
        return environment
    }

    private func writeSupportCommands(_ run: ScriptRun, in directory: String) throws {
        for (name, content) in run.supportFiles where name.hasPrefix("bin/") {
            try FileManager.default.createDirectory(
                atPath: directory + "/bin", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(content.utf8), attributes: [.posixPermissions: 0o700])
            else {
                throw ScratchError("cannot write \(directory)/\(name)")
            }
        }
    }

    private func makeDirectory(_ path: String) throws -> String {
        if mkdir(path, 0o700) != 0 {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return path
    }

    /// Removes a job's directory: the files Sluice wrote with plain unlinks, then whatever the job
    /// left, recursively.
    static func remove(_ directory: String) {
        for name in ["context.json", "result.json", "error.json", outputFile] { unlink(directory + "/" + name) }
        if rmdir(directory) != 0 { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A memory file (memfd) holding `text`, read from its start.
    static func memoryFile(_ name: String, holding text: String) throws -> Int32 {
        try memoryFile(name, holding: Array(text.utf8))
    }

    /// A memory file (memfd) holding `bytes`, read from its start.
    static func memoryFile(_ name: String, holding bytes: [UInt8]) throws -> Int32 {
        let descriptor = c_sluice_memfd(name)
        guard descriptor >= 0 else { throw RunFailure("cannot make a memory file: \(String(cString: strerror(errno)))") }
        if let failure = DescriptorWriter.writeAll(bytes, to: descriptor) {
            close(descriptor)
            throw RunFailure("cannot write a memory file: \(failure)")
        }
        lseek(descriptor, 0, SEEK_SET)
        return descriptor
    }

    /// Which file a descriptor stands for (device and inode), to tell it from a later file that
    /// reuses the number.
    struct FileIdentity: Equatable {
        var device: UInt64 = 0
        var inode: UInt64 = 0

        init(descriptor: Int32) {
            var info = stat()
            guard descriptor >= 0, fstat(descriptor, &info) == 0 else { return }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// The file a warm job's stdout and stderr go to, in its scratch directory (one file for both,
    /// so their order is kept); read when the job has ended, up to the log cap.
    static let outputFile = ".sluice-output"

    static func readOutput(_ path: String, into collector: LogCollector) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while total <= collector.logCap {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            collector.append(Array(buffer[0..<count]), fromStandardOutput: true)
            total += count
        }
    }
}

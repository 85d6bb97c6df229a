import CSluiceLinux
import Foundation
import Glibc
import SluiceCore
import Subprocess

extension ScriptRunner {
    /// Whether `run` goes to a warm slot sandbox: a bash job, in the bubblewrap sandbox, with slot
    /// sandboxes chosen and available, not sharing a flow's folder.
    func runsInSlotSandbox(_ run: ScriptRun, prepared: Prepared) -> Bool {
        run.language == .bash && settings.bashRunner == .slot && settings.slotLauncher != nil && prepared.sandbox != nil
            && prepared.slots.unavailable == nil && run.sharedFolder == nil
    }

    /// Runs a bash job in a warm slot sandbox (``SlotSandboxLauncher``): the same scratch
    /// directory, command, environment, channel, timeout, output and outcome as a job in a sandbox
    /// of its own; only the confinement is made per job inside a sandbox made once per slot.
    func runInSlotSandbox(_ run: ScriptRun, label: String, killer: ProcessKiller, prepared: Prepared) async -> ScriptRunResult {
        let launcher: WarmRunner
        do {
            launcher = try await prepared.slots.checkOut("slot") { try await startSlotSandbox(prepared: prepared) }
        } catch {
            // This machine cannot confine jobs this way (no Landlock ABI 6, no nested user
            // namespaces): this job and every later one get a sandbox each.
            prepared.slots.markUnavailable("\(error)")
            return await self.run(run, label: label, killer: killer, prepared: prepared)
        }
        let collector = LogCollector(logCap: settings.logCap)
        let directory: String
        do {
            directory = try prepared.scratch.makeRunDirectory(label: label)
        } catch {
            prepared.slots.checkIn("slot", runner: launcher)
            return ScriptRunResult(outcome: .failure("cannot make the job's scratch directory: \(error)"), logs: "")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var keep = true
        defer { if keep { prepared.slots.checkIn("slot", runner: launcher) } else { launcher.terminate() } }
        do {
            let channel = try run.channel.map { _ in try prepared.channels.open(in: directory) }
            defer { channel?.close() }
            let command = try await prepare(run, in: directory, prepared: prepared, channel: channel)
            var environment = jobEnvironment(run, directory: directory, channel: channel, helpers: prepared.helpers)
            for (name, value) in command.environment { environment[name] = value }
            let scratch = prepared.scratch.directory
            guard
                let text = SlotSandboxes.jobFile(
                    executable: command.executable, arguments: command.arguments.map { SlotSandboxes.translate($0, scratch: scratch) },
                    environment: environment.mapValues { SlotSandboxes.translate($0, scratch: scratch) },
                    readable: command.readOnlyFiles.map { SlotSandboxes.translate($0, scratch: scratch) })
            else {
                return ScriptRunResult(
                    outcome: .failure("an argument or variable of the job holds a NUL byte, which no process can be given"), logs: "")
            }
            let jobFile = try Self.memoryFile("job", holding: text)
            let pipes: OutputPipes
            do {
                pipes = try OutputPipes()
            } catch {
                close(jobFile)
                throw error
            }
            let timer = killer.timer(run.timeout)
            defer { timer.cancel() }
            var started: (@Sendable (Int32) -> Void)?
            if let channel {
                let (server, serverStarted) = (launcher.pid, launcher.started)
                started = { pid in channel.admit(.forked(pid, server: server, serverStarted: serverStarted, level: 1)) }
            }
            let sent = [pipes.standardOutput, pipes.standardError, jobFile]
            let finished: WarmRunner.Finished
            do {
                finished = try await LiveLogPump.running(every: run.liveLogInterval, source: { collector.logText }, sink: run.liveLogs) {
                    try await serving(channel, with: run.channel) {
                        async let drained: Void = pipes.drain(into: collector)
                        let ending = try await launcher.run(
                            directory: SlotSandboxes.translate(directory, scratch: scratch), descriptors: sent, started: started
                        ) {
                            (kill: @escaping @Sendable () -> Void) in killer.attach(kill: kill)
                        }
                        await drained
                        return ending
                    }
                }
            } catch {
                keep = false
                killer.finish()
                return ScriptRunResult(outcome: .failure("bash \(error)\n\(collector.lastLogLines(20))"), logs: collector.logText)
            }
            killer.finish()
            let status: TerminationStatus =
                switch finished.ending {
                case .exited(let code): .exited(code)
                case .signaled(let signal): .signaled(signal)
                }
            if case .exited(125) = status, collector.logText.contains("sluice: cannot confine the job") { keep = false }
            let outcome = interpret(status, language: run.language, directory: directory, collector: collector, killer: killer)
            return ScriptRunResult(outcome: outcome, logs: collector.logText)
        } catch {
            return couldNotRun(run, error, collector: collector, killer: killer)
        }
    }

    /// Starts a slot sandbox: the worker executable as ``SlotSandboxLauncher`` inside the job
    /// sandbox, the runs directory writable (each job is confined to its own directory in it), the
    /// script cache and the channel helpers readable.
    private func startSlotSandbox(prepared: Prepared) async throws -> WarmRunner {
        guard let sandbox = prepared.sandbox, let launcher = settings.slotLauncher else {
            throw RunFailure("slot sandboxes need the bubblewrap sandbox and the worker executable")
        }
        let executable = BubblewrapSandbox.canonical(launcher)
        let scratch = prepared.scratch.directory
        let inside = { (path: String) in SlotSandboxes.translate(path, scratch: scratch) }
        var (program, arguments) = sandbox.command(
            executable: executable, arguments: [SlotSandboxLauncher.argument, SlotSandboxes.configuration(readable: sandbox.readablePaths)],
            workingDirectory: inside(prepared.scratch.runs),
            binds: [
                .init(source: executable, destination: executable, writable: false),
                .init(source: prepared.scratch.runs, destination: inside(prepared.scratch.runs), writable: true),
                .init(source: prepared.scratch.scripts, destination: inside(prepared.scratch.scripts), writable: false),
                .init(source: prepared.helpers, destination: inside(prepared.helpers), writable: false),
            ])
        // The launcher ends with the worker's socket (its loop only waits, so it sees the end at once,
        // and kills its job). It is the sandbox's pid 1 itself (no bubblewrap reaper): one process
        // fewer in every job's /proc.
        arguments.removeAll { $0 == "--die-with-parent" }
        arguments.insert("--as-pid-1", at: 0)
        let runner = try await WarmRunner.start(
            executable: program, arguments: arguments, environment: baseEnvironment,
            errorLog: prepared.scratch.directory + "/slot-" + String(UInt32.random(in: 0...UInt32.max), radix: 16) + ".log", home: nil,
            lineLimit: 4096, spawner: workspace.spawner)
        return runner
    }
}

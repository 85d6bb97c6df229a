import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// Warm python runners: jobs forked from a fork server stay isolated from each other and from the
/// server; dedicated processes keep a script loaded between its jobs and are replaced when they die.
@Suite("Warm python runners", .serialized)
struct WarmRunnerTests {
    let server: RedisServer

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    func runner(_ mode: PythonRunnerMode) -> ScriptRunner {
        ScriptRunner(settings: ScriptRunnerSettings(pythonRunner: mode))
    }

    static let warmth = "import sys\n\ndef main(x: int = 1):\n    return {'warm': 'ctypes' in sys.modules, 'y': x + 1}\n"

    @Test(
        "fork mode runs each job in a child of a warm server; process mode starts a fresh interpreter", arguments: [PythonRunnerMode.fork, .process])
    func forked(mode: PythonRunnerMode) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(mode)) { _ in
            for x in 1...3 {
                let job = try await harness.finished(try harness.run(.python3, Self.warmth, arguments: ["x": .number(Double(x))]))
                #expect(job.state == .success, "\(job.error ?? "")")
                #expect(job.result == ["warm": .bool(mode == .fork), "y": .number(Double(x + 1))])
            }
        }
    }

    /// Sees its own directory and whether it has a channel (the variable's name built at run time,
    /// so the script does not name a helper).
    static let looksAround =
        "import os\n\ndef main():\n    return {'files': sorted(os.listdir('.')), 'channel': ('SLU' + 'ICE_CHANNEL') in os.environ}\n"

    @Test(
        "a forked job's arguments, environment and outcome travel in memory files: its directory holds only its output; a channel only for a script that names a helper"
    )
    func memoryFilesAndChannelNeed() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(.fork)) { _ in
            let plain = try await harness.finished(try harness.run(.python3, Self.looksAround))
            #expect(plain.state == .success, "\(plain.error ?? "")")
            #expect(plain.result == ["files": [".sluice-output"], "channel": false])
            let helper = try await harness.finished(try harness.run(.python3, "import wmill\n" + Self.looksAround))
            #expect(helper.state == .success, "\(helper.error ?? "")")
            #expect(helper.result?["channel"] == true)
            let failing = try await harness.finished(try harness.run(.python3, "def main():\n    raise ValueError('no good')\n"))
            #expect(failing.state == .failure)
            #expect(failing.error?.contains("ValueError: no good") == true, "\(failing.error ?? "")")
        }
    }

    /// What a forked job sees of its environment, in Python and in a process it starts, and what
    /// its result becomes.
    static let environmentAndResult = """
        import datetime, os, subprocess

        def main(kind: str = 'map'):
            if kind == 'text':
                return 'plain text'
            listed = subprocess.run(['/usr/bin/env', '-0'], capture_output=True, text=True).stdout
            inherited = dict(entry.split('=', 1) for entry in listed.split('\\0') if '=' in entry)
            as_bytes = {key.encode(): value.encode() for key, value in os.environ.items()}
            return {'same': inherited == dict(os.environ) and as_bytes == dict(os.environb),
                    'home': os.environ['HOME'] == os.getcwd() == os.environ['TMPDIR'],
                    'day': datetime.date(2026, 12, 7), 'ratio': 0.1, 'nested': [1, {'none': None}], 'accent': 'é'}
        """

    @Test(
        "a forked job's environment is its own in os.environ, os.environb and what it starts; its result is what json.dumps(default=str) makes of main's value"
    )
    func environmentAndResultOfAForkedJob() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(.fork)) { _ in
            for _ in 1...2 {
                let job = try await harness.finished(try harness.run(.python3, Self.environmentAndResult))
                #expect(job.state == .success, "\(job.error ?? "")")
                #expect(
                    job.result == [
                        "same": true, "home": true, "day": "2026-12-07", "ratio": .number(0.1), "nested": [.number(1), ["none": .null]],
                        "accent": "é",
                    ])
            }
            let text = try await harness.finished(try harness.run(.python3, Self.environmentAndResult, arguments: ["kind": "text"]))
            #expect(text.result == "plain text", "\(text.error ?? "")")
        }
    }

    /// A result whose `__str__` (json.dumps's `default=str`) says it ran, then raises.
    static let failingConversion = """
        class Odd:
            def __str__(self):
                print('converted')
                raise TypeError('cannot be text')

        def main():
            return {'odd': Odd()}
        """

    @Test(
        "a result that cannot be made JSON fails its job with the conversion's error, the conversion run once",
        arguments: [PythonRunnerMode.fork, .dedicated])
    func failingConversion(mode: PythonRunnerMode) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(mode)) { _ in
            let job = try await harness.finished(try harness.run(.python3, Self.failingConversion))
            #expect(job.state == .failure)
            #expect(job.error?.contains("TypeError: cannot be text") == true, "\(job.error ?? "")")
            let logs = try harness.store.logs(job.id, on: server.connect()) ?? ""
            #expect(logs.components(separatedBy: "converted").count - 1 == 1, "\(logs)")
        }
    }

    @Test("a forked job cannot read or signal another running job, nor see its files, nor write outside its scratch directory")
    func isolation() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let secret = "victim-secret-\(UUID().uuidString)"
        try await harness.withWorker(harness.settings(concurrency: 2), runner: runner(.fork)) { _ in
            // The victim holds at a gate, its file written, until the thief is done.
            let gate = try await JobGate()
            let victim = try harness.run(
                .python3, "def main():\n    open('mine.txt', 'w').write('private')\n    \(gate.pythonLine)\n    return 'survived'\n",
                environment: ["SLUICE_RESUME_MINT_KEY": secret])
            #expect(await gate.waitUntilReached(), "the victim never reached the gate")
            let thief = try harness.run(
                .python3,
                """
                import glob, os, signal


                def attempt(action):
                    try:
                        action()
                        return "yes"
                    except OSError as error:
                        return type(error).__name__


                def main():
                    found = 0
                    for path in glob.glob("/proc/[0-9]*/environ"):
                        try:
                            found += open(path, "rb").read().count(b"victim-secret")
                        except OSError:
                            pass
                    signalled = 0
                    for name in os.listdir("/proc"):
                        if name.isdigit() and int(name) != os.getpid():
                            try:
                                os.kill(int(name), 0)
                                signalled += 1
                            except OSError:
                                pass
                    runs = os.path.dirname(os.getcwd())
                    return {
                        "found": found,
                        "signalled": signalled,
                        "listRuns": attempt(lambda: os.listdir(runs)),
                        "own": attempt(lambda: open("own.txt", "w").write("x")),
                        "tmp": attempt(lambda: open("/tmp/x", "w").write("x")),
                        "usr": attempt(lambda: open("/usr/x", "w").write("x")),
                        "etc": attempt(lambda: open("/etc/hostname").read()),
                    }
                """)
            let job = try await harness.finished(thief)
            #expect(job.state == .success, "\(job.error ?? "")")
            let result = try #require(job.result)
            #expect(result["found"] == 0, "another job's environment was readable")
            #expect(result["signalled"] == 0, "another process could be signalled: \(result.jsonText)")
            #expect(result["listRuns"] == "PermissionError")
            #expect(result["own"] == "yes")
            #expect(result["tmp"] != "yes")
            #expect(result["usr"] != "yes")
            #expect(result["etc"] == "yes")
            gate.release()
            #expect(try await harness.finished(victim).result == "survived")
        }
    }

    @Test("what a forked job leaves running (setsid, background) dies when it ends; a timeout kills it")
    func leftoversAndTimeout() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let tag = "\(Int.random(in: 100_000...999_999))"
        try await harness.withWorker(runner: runner(.fork)) { _ in
            let id = try harness.run(
                .python3,
                "import subprocess\n\ndef main(tag: str):\n    subprocess.Popen(['sleep', '55.' + tag], start_new_session=True)\n    subprocess.Popen(['sleep', '56.' + tag])\n    return 'left'\n",
                arguments: ["tag": .string(tag)])
            #expect(try await harness.finished(id).result == "left")
            for prefix in ["sleep 55.", "sleep 56."] {
                #expect(await HostInspection.waitUntilGone(prefix + tag).isEmpty, "\(prefix)\(tag) outlived its job")
            }
            // Killed at its timeout: it ends long before its sleep would (until 12-07 the kill
            // message was malformed, and a timed-out forked job ran on to its natural end).
            let slow = try harness.run(.python3, "import time\n\ndef main():\n    time.sleep(300)\n", timeoutSeconds: 1)
            let began = ContinuousClock.now
            #expect(try await harness.finished(slow, timeout: .seconds(30)).error == "timed out after 1 s")
            #expect(ContinuousClock.now - began < .seconds(30), "the timed-out job was not killed")
            let after = try await harness.finished(try harness.run(.python3, Self.warmth))
            #expect(after.result?["warm"] == true)
        }
    }

    @Test("what a dedicated job leaves running (setsid, background) dies when it ends; the process serves the next job")
    func dedicatedLeftovers() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let tag = "\(Int.random(in: 100_000...999_999))"
        try await harness.withWorker(runner: runner(.dedicated)) { _ in
            let script =
                "import os, subprocess\n\ndef main(tag: str):\n    subprocess.Popen(['sleep', '57.' + tag], start_new_session=True)\n"
                + "    subprocess.Popen(['sleep', '58.' + tag])\n    return os.getpid()\n"
            let first = try await harness.finished(try harness.run(.python3, script, arguments: ["tag": .string(tag)]))
            #expect(first.state == .success, "\(first.error ?? "")")
            for prefix in ["sleep 57.", "sleep 58."] {
                #expect(await HostInspection.waitUntilGone(prefix + tag).isEmpty, "\(prefix)\(tag) outlived its job")
            }
            let second = try await harness.finished(try harness.run(.python3, script, arguments: ["tag": .string(tag + "1")]))
            #expect(second.result == first.result, "the same process runs the next job")
            for prefix in ["sleep 57.", "sleep 58."] {
                #expect(await HostInspection.waitUntilGone(prefix + tag + "1").isEmpty)
            }
        }
    }

    static let counter =
        "# sluice: dedicated\nimport os, time\nCOUNT = 0\nPROCESS = os.urandom(8).hex()\n\ndef main(crash: bool = False, fail: bool = False, wait: int = 0):\n    global COUNT\n    COUNT += 1\n    print('job', COUNT, os.environ.get('SLUICE_JOB_ID'))\n    time.sleep(wait)\n    if crash:\n        os._exit(3)\n    if fail:\n        raise ValueError('nope')\n    return {'count': COUNT, 'pid': PROCESS, 'cwd': os.getcwd()}\n"

    @Test("dedicated: the script stays loaded between its jobs, one at a time; a crash or timeout replaces the process")
    func dedicated() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let runner = runner(.fork)
        try await harness.withWorker(harness.settings(concurrency: 1), runner: runner) { _ in
            let connection = try server.connect()
            let path = try #require(ScriptPath("f/test/counter"))
            let (hash, _) = try ScriptStore(keys: harness.store.keys).push(path: path, language: .python3, content: Self.counter, on: connection)
            func run(_ arguments: JSONValue = [:], timeout: Int? = nil) async throws -> JobRecord {
                let id = JobID.generate()
                try harness.store.enqueue(
                    EnqueueRequest(
                        id: id, kind: .script, arguments: arguments, path: path.rawValue, scriptHash: hash, language: .python3,
                        timeoutSeconds: timeout),
                    on: connection)
                return try await harness.finished(id)
            }
            let first = try await run()
            let second = try await run()
            #expect(first.result?["count"] == 1, "\(first.error ?? "")")
            #expect(second.result?["count"] == 2)
            #expect(second.result?["pid"] == first.result?["pid"])
            #expect(second.result?["cwd"] != first.result?["cwd"], "each job has its own scratch directory")
            #expect(try harness.store.logs(second.id, on: connection)?.contains("job 2 \(second.id.rawValue)") == true)
            let failed = try await run(["fail": true])
            #expect(failed.error?.hasPrefix("ValueError: nope") == true, "\(failed.error ?? "")")
            #expect(try await run().result?["count"] == 4, "an exception keeps the process")
            let crashed = try await run(["crash": true])
            #expect(crashed.state == .failure)
            #expect(crashed.error?.contains("warm runner ended") == true, "\(crashed.error ?? "")")
            let restarted = try await run()
            #expect(restarted.result?["count"] == 1)
            #expect(restarted.result?["pid"] != first.result?["pid"])
            // A job past its timeout is killed with its process, and says it timed out.
            let began = ContinuousClock.now
            let timedOut = try await run(["wait": 300], timeout: 1)
            #expect(timedOut.error == "timed out after 1 s", "\(timedOut.error ?? "")")
            #expect(ContinuousClock.now - began < .seconds(30))
            let replaced = try await run()
            #expect(replaced.result?["count"] == 1)
            #expect(replaced.result?["pid"] != restarted.result?["pid"])
            // The crashed and the timed-out processes' homes and error logs went with them: one process, one home.
            let scratch = try #require(runner.scratchDirectory)
            let homes = try FileManager.default.contentsOfDirectory(atPath: scratch + "/dedicated")
            #expect(homes.count == 1, "\(homes)")
            let logs = try FileManager.default.contentsOfDirectory(atPath: scratch).filter { $0.hasPrefix("warm-") }
            #expect(logs.count == 1, "the live dedicated process's only: \(logs)")
        }
    }

    @Test(
        "a result over the worker's result limit fails its job with a clear error, in every runner; an error text is cut at the limit",
        arguments: ["fork", "process", "dedicated", "bash", "deno"])
    func resultLimit(runner kind: String) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let limit = 100_000
        let mode: PythonRunnerMode = kind == "process" ? .process : kind == "dedicated" ? .dedicated : .fork
        let scriptRunner = ScriptRunner(settings: ScriptRunnerSettings(pythonRunner: mode, resultLimit: limit))
        try await harness.withWorker(runner: scriptRunner) { _ in
            let big: JobID
            let small: JobID
            switch kind {
            case "bash":
                big = try harness.run(.bash, "head -c 300000 /dev/zero | tr '\\0' x; echo\n")
                small = try harness.run(.bash, "echo '{\"ok\": true}'\n")
            case "deno":
                big = try harness.run(.deno, "export function main() {\n  return 'x'.repeat(3_000_000);\n}\n")
                small = try harness.run(.deno, "export function main() {\n  return { ok: true };\n}\n")
            default:
                big = try harness.run(.python3, "def main():\n    return 'x' * 30_000_000\n")
                small = try harness.run(.python3, "def main():\n    return {'ok': True}\n")
            }
            let failed = try await harness.finished(big)
            #expect(failed.state == .failure)
            #expect(failed.error?.contains("over this worker's result limit") == true, "\(failed.error?.prefix(300) ?? "")")
            #expect(try await harness.finished(small).result == ["ok": true])
            if kind != "bash" && kind != "deno" {
                let error = try await harness.finished(try harness.run(.python3, "def main():\n    raise ValueError('e' * 3_000_000)\n"))
                #expect(error.state == .failure)
                #expect(
                    error.error?.hasSuffix("[sluice: error text truncated at 100000 bytes]") == true,
                    "\(error.error?.prefix(300) ?? "") … \(error.error?.suffix(300) ?? "")")
                #expect((error.error?.utf8.count ?? 0) < 101_000)
            }
        }
    }

    @Test("a dedicated job flooding its runner's control socket with one endless line is stopped: its job fails, the worker goes on")
    func controlSocketFlood() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let scriptRunner = ScriptRunner(settings: ScriptRunnerSettings(pythonRunner: .dedicated, resultLimit: 100_000))
        try await harness.withWorker(harness.settings(concurrency: 1), runner: scriptRunner) { _ in
            // Every socket among its descriptors gets 50 MB with no newline.
            let flood = """
                import os, stat

                def main():
                    chunk = b'x' * 1_000_000
                    for name in os.listdir('/proc/self/fd'):
                        fd = int(name)
                        try:
                            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                                for _ in range(50):
                                    os.write(fd, chunk)
                        except OSError:
                            pass
                    return 'flooded'
                """
            let started = ContinuousClock.now
            let flooded = try await harness.finished(try harness.run(.python3, flood), timeout: .seconds(30))
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(flooded.state == .failure)
            #expect(flooded.error?.contains("sent a line longer than") == true, "\(flooded.error ?? "")")
            let next = try await harness.finished(try harness.run(.python3, "def main():\n    return 1\n"))
            #expect(next.result == 1, "\(next.error ?? "")")
        }
    }
}

extension WarmRunnerTests {
    static let decorated = """
        import functools, sys


        def logged(function):
            @functools.wraps(function)
            def wrapper(*args, **kwargs):
                return function(*args, **kwargs)

            return wrapper


        @logged
        def main(text: str = "", x: int = 1):
            return {"length": len(text), "x": x, "stdin": sys.stdin.read()}

        """

    @Test(
        "arguments of any size reach a job (a dedicated process gets them in its message); a decorated main gets only what it names; stdin is empty",
        arguments: [PythonRunnerMode.fork, .dedicated, .process])
    func largeArgumentsAndDecoratedMain(mode: PythonRunnerMode) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(mode)) { _ in
            // Over 64 KiB, with a tab and a newline: many reads of the runner's socket, fields kept apart.
            let text = "a\tb\n" + String(repeating: "x", count: 200_000)
            for _ in 1...2 {
                let job = try await harness.finished(
                    try harness.run(.python3, Self.decorated, arguments: ["text": .string(text), "x": 2, "extra": true]), timeout: .seconds(30))
                #expect(job.state == .success, "\(job.error ?? "")")
                #expect(job.result == ["length": .number(Double(text.count)), "x": 2, "stdin": ""])
            }
        }
    }

    @Test(
        "a channel request over the size limit is answered with the refusal, not cut off: the job can say why",
        arguments: [PythonRunnerMode.fork, .process])
    func oversizedChannelRequest(mode: PythonRunnerMode) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(mode)) { _ in
            let id = try harness.run(
                .python3,
                """
                import wmill


                def main():
                    try:
                        wmill.get_variable("f/big/" + "x" * 3_000_000)
                    except Exception as error:
                        return type(error).__name__ + ": " + str(error)
                    return "answered"

                """)
            let job = try await harness.finished(id)
            #expect(job.result?.stringValue?.contains("larger than 2097152 bytes") == true, "\(job.result?.jsonText ?? job.error ?? "")")
        }
    }

    @Test(
        "a job whose kill came before its warm runner got it never runs (a cancel or timeout while it was prepared)",
        arguments: ["fork", "dedicated", "bash"])
    func killedBeforeSent(kind: String) async throws {
        let runner = runner(kind == "dedicated" ? .dedicated : .fork)
        try await runner.prepare()
        defer { runner.shutDown() }
        let gate = try await JobGate()
        let killer = ProcessKiller()
        killer.kill(.canceled)
        let run =
            kind == "bash"
            ? ScriptRun(language: .bash, content: "exec 3<>/dev/tcp/127.0.0.1/\(gate.port)\necho ran\n", arguments: [:], timeout: .seconds(30))
            : ScriptRun(
                language: .python3, content: "import socket\n\ndef main():\n    socket.create_connection(('127.0.0.1', \(gate.port))).close()\n",
                arguments: [:], timeout: .seconds(30))
        let result = await runner.run(run, label: "killed", killer: killer)
        #expect(result.outcome == .failure("canceled while running"))
        // Had it run, it would have connected before its run ended.
        #expect(await !gate.waitUntilReached(timeout: .seconds(1)), "the killed job ran")
        // The runner serves the next job as before.
        let next = await runner.run(
            kind == "bash"
                ? ScriptRun(language: .bash, content: "echo 7\n", arguments: [:], timeout: .seconds(30))
                : ScriptRun(language: .python3, content: "def main():\n    return 7\n", arguments: [:], timeout: .seconds(30)),
            label: "next", killer: ProcessKiller())
        #expect(next.outcome == .success(7))
    }
}

import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// What a script can and cannot reach: the attacks of the hardening review, replayed against a
/// real worker. In `bwrap` mode each must fail; the `none` cases show what the sandbox is for.
@Suite("Job sandbox: what a script can reach", .serialized, .tags(.processes))
struct SandboxTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    func runner(_ mode: SandboxSettings.Mode, network: Bool = true, root: String? = nil, bash: BashRunnerMode = .slot) -> ScriptRunner {
        ScriptRunner(settings: ScriptRunnerSettings(scratchRoot: root, sandbox: SandboxSettings(mode: mode, network: network), bashRunner: bash))
    }

    @Test("the first runs of a script, many at once, all run: the cached file is written once, not replaced under a job granted it")
    func firstRunsAtOnce() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        for round in 0..<4 {
            // Queued before the worker starts, so its six slots take them together.
            let content = "# round \(round) \(UUID().uuidString)\necho ok\n"
            let ids = try (0..<6).map { _ in try harness.run(.bash, content) }
            try await harness.withWorker(harness.settings(concurrency: 6), runner: runner(.bubblewrap)) { _ in
                for id in ids {
                    let job = try await harness.finished(id)
                    #expect(job.state == .success, "round \(round): \(job.error ?? "")")
                }
            }
        }
    }

    @Test("where no slot sandbox can start, bash jobs get a sandbox each and still run")
    func slotFallback() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        // /bin/false exits before saying ready, as a launcher refused Landlock or namespaces would.
        let runner = ScriptRunner(settings: ScriptRunnerSettings(sandbox: SandboxSettings(mode: .bubblewrap), slotLauncher: "/bin/false"))
        try await harness.withWorker(harness.settings(concurrency: 2), runner: runner) { _ in
            for _ in 0..<2 {
                let id = try harness.run(.bash, "echo $$\n")
                let job = try await harness.finished(id)
                #expect(job.state == .success, "\(job.error ?? "")")
                // In a sandbox of its own, bubblewrap's init is pid 1 and the script pid 2.
                #expect(job.result == 2)
            }
        }
    }

    @Test(
        "two jobs at once: neither reads the other's files knowing their path, nor its /tmp, nor sees its processes; the next job finds nothing of theirs in /tmp",
        arguments: BashRunnerMode.allCases)
    func concurrentJobs(bash: BashRunnerMode) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let tag = "\(Int.random(in: 100_000...999_999))"
        let runner = runner(.bubblewrap, bash: bash)
        try await harness.withWorker(harness.settings(concurrency: 2), runner: runner) { _ in
            let victim = try harness.run(
                .bash, "tag=\"$1\"\necho hidden > \"$TMPDIR/secret-$tag\"\necho hidden > /tmp/victim-$tag\nsleep 6.$tag\necho done\n",
                arguments: ["tag": .string(tag)])
            #expect(await HostInspection.waitUntilRunning("sleep 6.\(tag)"))
            let runs = try #require(runner.scratchDirectory) + "/runs"
            let victimDirectory = try #require(
                try FileManager.default.contentsOfDirectory(atPath: runs).map { runs + "/" + $0 }.first {
                    FileManager.default.fileExists(atPath: $0 + "/secret-" + tag)
                })
            let thief = try harness.run(
                .bash,
                """
                tag="$1"
                dir="$2"
                found=no
                for path in "$dir/secret-$tag" "/sluice/runs/$(basename "$dir")/secret-$tag" "/tmp/victim-$tag"; do
                  if cat "$path" 2>/dev/null | grep -q hidden; then found=yes; fi
                done
                seen=no
                for cmd in /proc/[0-9]*/cmdline; do
                  if tr '\\0' ' ' < "$cmd" 2>/dev/null | grep -q "sleep 6.$tag"; then seen=yes; fi
                done
                echo "{\\"found\\": \\"$found\\", \\"seen\\": \\"$seen\\"}"
                """,
                arguments: ["tag": .string(tag), "dir": .string(victimDirectory)])
            let stolen = try await harness.finished(thief)
            #expect(stolen.state == .success, "\(stolen.error ?? "")")
            #expect(stolen.result?["found"] == "no", "a job read another running job's files")
            #expect(stolen.result?["seen"] == "no", "a job saw another running job's processes")
            #expect(try await harness.finished(victim).result == "done")
            // Both slots have run a job now: whichever the next one gets, nothing of the victim's is in its /tmp.
            for _ in 0..<2 {
                let next = try harness.run(.bash, "tag=\"$1\"\nls -A /tmp | grep -c \"victim-$tag\" || true\n", arguments: ["tag": .string(tag)])
                #expect(try await harness.finished(next).result == 0, "a job found what an earlier one left in /tmp")
            }
        }
    }

    @Test("a script cannot read the worker's environment through /proc (with --sandbox none it can)", arguments: SandboxSettings.Mode.allCases)
    func workerEnvironment(mode: SandboxSettings.Mode) async throws {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        let secret = "worker-secret-\(UUID().uuidString)"
        let worker = try ChildProcess(
            "worker", ["--concurrency", "1", "--sandbox", mode.rawValue],
            environment: ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix, "SLUICE_TEST_SECRET": secret])
        defer { worker.signal(SIGKILL) }
        let id = try harness.run(
            .bash,
            """
            found=$(cat /proc/$PPID/environ /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c SLUICE_TEST_SECRET)
            echo "$found"
            """)
        let job = try await harness.finished(id)
        #expect(job.state == .success, "\(job.error ?? "")")
        if mode == .bubblewrap {
            #expect(job.result == 0, "the worker's environment leaked into the sandbox")
        } else if getuid() == 0 {
            // Without a sandbox, a script running as root reads its worker's environment (as another
            // uid, non-dumpability stops it): what the sandbox is for.
            #expect((job.result?.numberValue ?? 0) > 0, "without a sandbox the worker's environment is readable")
        }
    }

    @Test("a job cannot find another job's minting key in /proc, and sees only its own processes")
    func otherJobsSecrets() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let key = "mint-\(UUID().uuidString)"
        try await harness.withWorker(harness.settings(concurrency: 2), runner: runner(.bubblewrap)) { _ in
            // The victim holds at a gate until the thief is done, so it surely runs meanwhile.
            let gate = try await JobGate()
            let victim = try harness.run(.bash, gate.bashLine + "\necho done\n", environment: ["SLUICE_RESUME_MINT_KEY": key])
            #expect(await gate.waitUntilReached(), "the victim never reached the gate")
            let thief = try harness.run(
                .bash,
                """
                found=$(cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c SLUICE_RESUME_MINT_KEY)
                pids=$(ls /proc | grep -cE '^[0-9]+$')
                echo "{\\"found\\": $found, \\"pids\\": $pids}"
                """)
            let job = try await harness.finished(thief)
            #expect(job.result?["found"] == 0)
            // bubblewrap's init, bash, and the pipeline's commands: a handful, never the victim's.
            #expect((job.result?["pids"]?.numberValue ?? 99) < 8, "\(job.result?.jsonText ?? "")")
            gate.release()
            #expect(try await harness.finished(victim).result == "done")
        }
    }

    @Test("read-only system, private /tmp, scratch directory the only writable place, no other runs or cached scripts in sight")
    func filesystem() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let tag = "\(Int.random(in: 100_000...999_999))"
        try await harness.withWorker(harness.settings(concurrency: 2), runner: runner(.bubblewrap)) { _ in
            let id = try harness.run(
                .bash,
                """
                tag="$1"
                check() { if "$@" 2>/dev/null; then echo yes; else echo no; fi; }
                usr=$(check touch /usr/local/sluice-probe)
                etc=$(check touch /etc/sluice-probe)
                scratch=$(check touch "$TMPDIR/mine")
                tmp=$(check touch /tmp/private-$1)
                cache=$(check sh -c "echo injected >> '$0'")
                neighbours=$(ls "$(dirname "$TMPDIR")" | wc -l)
                scripts=$(ls "$(dirname "$(dirname "$TMPDIR")")/scripts" 2>/dev/null | wc -l)
                echo "{\\"usr\\":\\"$usr\\",\\"etc\\":\\"$etc\\",\\"scratch\\":\\"$scratch\\",\\"tmp\\":\\"$tmp\\",\\"cache\\":\\"$cache\\",\\"neighbours\\":$neighbours,\\"scripts\\":$scripts}"
                """,
                arguments: ["tag": .string(tag)])
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            let result = try #require(job.result)
            #expect(result["usr"] == "no")
            #expect(result["etc"] == "no")
            #expect(result["scratch"] == "yes")
            #expect(result["tmp"] == "yes")
            #expect(result["cache"] == "no", "a job could write the cached script file")
            // A sandbox of its own shows the job only its own directory and script; in a slot
            // sandbox it cannot list the runs or scripts directories at all.
            #expect((result["neighbours"]?.numberValue ?? 99) <= 1, "a job saw other runs' directories")
            #expect((result["scripts"]?.numberValue ?? 99) <= 1, "a job saw other cached scripts")
            // The private /tmp of one job is not another's.
            let later = try harness.run(
                .bash, "tag=\"$1\"\nif [ -e /tmp/private-$tag ]; then echo seen; else echo unseen; fi\n", arguments: ["tag": .string(tag)])
            #expect(try await harness.finished(later).result == "unseen")
        }
    }

    @Test("a cached script changed on disk by another job is rewritten before it runs again (unsandboxed jobs can write it)")
    func cachedScriptVerified() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 1), runner: runner(.none)) { _ in
            let victim = try harness.run(.bash, "echo victim\n")
            #expect(try await harness.finished(victim).result == "victim")
            // Without a sandbox, a job reaches the worker's script cache next to its own directory.
            let injector = try harness.run(
                .bash,
                """
                count=0
                for file in "$(dirname "$(dirname "$TMPDIR")")"/scripts/*.sh; do
                  if [ "$file" != "$0" ]; then chmod u+w "$file" && printf 'echo INJECTED\\n' >> "$file" && count=$((count + 1)); fi
                done
                echo "$count"
                """)
            #expect(try await harness.finished(injector).result == 1, "the injection itself should work without a sandbox")
            let again = try harness.run(.bash, "echo victim\n")
            #expect(try await harness.finished(again).result == "victim", "the tampered cached file ran")
        }
    }

    @Test("everything a script starts dies when it exits: background, nohup and setsid children")
    func childrenDieWithScript() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let tag = "\(Int.random(in: 100_000...999_999))"
        try await harness.withWorker(runner: runner(.bubblewrap)) { _ in
            let id = try harness.run(
                .bash,
                """
                tag="$1"
                sleep 51.$tag > /dev/null 2>&1 &
                nohup sleep 52.$tag > /dev/null 2>&1 &
                setsid sleep 53.$tag > /dev/null 2>&1 < /dev/null &
                disown -a
                echo done
                """,
                arguments: ["tag": .string(tag)])
            #expect(try await harness.finished(id).result == "done")
            for prefix in ["sleep 51.", "sleep 52.", "sleep 53."] {
                #expect(await HostInspection.waitUntilGone(prefix + tag).isEmpty, "\(prefix)\(tag) outlived its script")
            }
        }
    }

    @Test("a canceled job's setsid children die with it")
    func cancelKillsEverything() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let tag = "\(Int.random(in: 100_000...999_999))"
        try await harness.withWorker(harness.settings(lease: .milliseconds(600)), runner: runner(.bubblewrap)) { _ in
            let id = try harness.run(
                .bash, "tag=\"$1\"\nsetsid sleep 54.$tag > /dev/null 2>&1 < /dev/null &\nsleep 30\n", arguments: ["tag": .string(tag)])
            #expect(await HostInspection.waitUntilRunning("sleep 54.\(tag)"))
            #expect(try harness.store.cancel(id, reason: "stop", on: server.connect()) == .running)
            #expect(await HostInspection.waitUntilGone("sleep 54.\(tag)", timeout: .seconds(5)).isEmpty)
        }
    }

    @Test("network: reachable by default, cut by --sandbox-no-network", arguments: [true, false])
    func network(allowed: Bool) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let port = server.port
        try await harness.withWorker(runner: runner(.bubblewrap, network: allowed)) { _ in
            let id = try harness.run(
                .bash, "port=\"$1\"\nif exec 3<>/dev/tcp/127.0.0.1/$port; then echo connected; else echo refused; fi\n",
                arguments: ["port": .number(Double(port))])
            #expect(try await harness.finished(id).result == (allowed ? "connected" : "refused"))
        }
    }

    @Test("a job with the network reaches a password-protected Redis and can do nothing there")
    func protectedRedis() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(.bubblewrap, network: true)) { _ in
            let id = try harness.run(
                .bash,
                "port=\"$1\"\nexec 3<>/dev/tcp/127.0.0.1/$port\nprintf 'KEYS *\\r\\n' >&3\nread -r -t 2 line <&3\necho \"${line%$'\\r'}\"\n",
                arguments: ["port": .number(Double(server.port))])
            let job = try await harness.finished(id)
            #expect(job.result?.stringValue?.hasPrefix("-NOAUTH") == true, "\(String(describing: job.result)) \(job.error ?? "")")
        }
    }

    @Test("the scratch root: created owner-only, tightened when too open, refused when another user owns it or it is a symlink")
    func scratchRoot() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-root-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }

        let fresh = base + "/fresh"
        try await runner(.none, root: fresh).prepare()
        #expect(try permissions(fresh) == 0o700)

        let open = base + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        try await runner(.none, root: open).prepare()
        #expect(try permissions(open) == 0o700)

        let foreign = base + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        #expect(chown(foreign, 65534, 65534) == 0)
        await #expect(throws: ScratchError.self) { try await runner(.none, root: foreign).prepare() }

        let link = base + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fresh)
        await #expect(throws: ScratchError.self) { try await runner(.none, root: link).prepare() }
    }

    @Test("a worker starting removes the scratch directories of dead workers, never a live one's")
    func staleScratchRemoved() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-stale-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let live = runner(.none, root: root)
        try await live.prepare()
        let liveDirectory = try #require(live.scratchDirectory)
        // A worker that died: its lock file exists but nobody holds it.
        let dead = root + "/w-999999-dead"
        try FileManager.default.createDirectory(atPath: dead + "/runs/leftover", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dead + "/.lock", contents: nil)
        let next = runner(.none, root: root)
        try await next.prepare()
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: liveDirectory))
    }

    @Test("the worker process is non-dumpable: another process of its uid cannot read its environment")
    func nonDumpable() async throws {
        let keys = KeySpace.unique()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-nobody-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        #expect(chown(scratch, 65534, 65534) == 0)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]
        let worker = try ChildProcess(
            "/usr/bin/setpriv", asNobody + [Executables.path("worker"), "--concurrency", "1", "--scratch", scratch],
            environment: ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix, "SLUICE_TEST_SECRET": "x"])
        defer { worker.signal(SIGKILL) }
        // Wait until the worker registered itself (it is running as nobody).
        let harness = WorkerHarness(server: server, keys: keys)
        let id = try harness.run(.bash, "echo up\n")
        #expect(try await harness.finished(id).result == "up", "\(worker.log)")
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        reader.arguments = asNobody + ["/bin/cat", "/proc/\(worker.pid)/environ"]
        reader.standardOutput = FileHandle.nullDevice
        reader.standardError = FileHandle.nullDevice
        try reader.run()
        reader.waitUntilExit()
        #expect(reader.terminationStatus != 0, "a process of the worker's uid read its environment")
    }

    private func permissions(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }
}

import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// TypeScript scripts on Deno, run by a real worker in the job sandbox.
@Suite("TypeScript on Deno", .serialized)
struct TypeScriptTests {
    let server: RedisServer

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    func runner(permissions: DenoPermissions = DenoPermissions(), sandbox: SandboxSettings.Mode = .bubblewrap) -> ScriptRunner {
        ScriptRunner(settings: ScriptRunnerSettings(denoPermissions: permissions, sandbox: SandboxSettings(mode: sandbox)))
    }

    @Test("deno is found where make deps installs it")
    func denoFound() {
        #expect(ScriptRunnerSettings().denoPath?.hasSuffix("/.venv-tools/bin/deno") == true, "run make deps")
    }

    @Test("arguments by parameter name, defaults apply, console.log goes to the logs, the returned value is the result")
    func windmillConvention() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let id = try harness.run(
                .deno,
                """
                export async function main(name: string, times = 2, tags: string[] = []) {
                  console.log(`greeting ${name}`);
                  console.error("to stderr");
                  return { greeting: Array(times).fill(`Hello, ${name}!`).join(" "), tags, deno: typeof Deno.version.deno };
                }
                """,
                arguments: ["times": 1, "name": "Ada", "ignored": true])
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result == ["greeting": "Hello, Ada!", "tags": [], "deno": "string"])
            let logs = try harness.store.logs(id, on: server.connect()) ?? ""
            #expect(logs.contains("greeting Ada"))
            #expect(logs.contains("to stderr"))
        }
    }

    @Test("an exception fails the job with its message and stack; a main that returns nothing gives null")
    func exceptions() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let failing = try harness.run(
                .deno,
                "function check(n: number) {\n  if (n > 1) throw new RangeError(`too big: ${n}`);\n}\nexport function main(n = 5) {\n  check(n);\n}\n"
            )
            let job = try await harness.finished(failing)
            #expect(job.state == .failure)
            let error = job.error ?? ""
            #expect(error.hasPrefix("RangeError: too big: 5"), "\(error)")
            #expect(error.contains("at check (file://"), "no stack in \(error)")
            let empty = try harness.run(.deno, "export function main() {}\n")
            #expect(try await harness.finished(empty).result == .null)
        }
    }

    @Test("windmill-client resolves to Sluice's own module however it is imported")
    func windmillClientImports() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let id = try harness.run(
                .deno,
                """
                import * as a from "windmill-client";
                import * as b from "npm:windmill-client@1";
                import wmill from "windmill-client@1";
                export async function main() {
                  let outsideGate = "";
                  try { await a.getResumeUrls(); } catch (error) { outsideGate = (error as Error).message; }
                  let unsupported = "";
                  try { b.pgSql("select 1"); } catch (error) { unsupported = (error as Error).message; }
                  return { same: a.getResumeUrls === b.getResumeUrls && b.getResumeUrls === wmill.getResumeUrls, job: a.getJobId(), outsideGate, unsupported };
                }
                """)
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result?["same"] == true)
            #expect(job.result?["job"] == .string(id.rawValue))
            #expect(job.result?["outsideGate"]?.stringValue?.contains("no approval gate") == true)
            #expect(job.result?["unsupported"]?.stringValue?.contains("pgSql is not supported") == true)
        }
    }

    static let probe = """
        export async function main() {
          const attempt = async (action: () => Promise<unknown>) => {
            try { await action(); return "yes"; } catch (error) { return (error as Error).name; }
          };
          return {
            ownWrite: await attempt(() => Deno.writeTextFile(`${Deno.cwd()}/mine.txt`, "x")),
            ownRead: await attempt(() => Deno.readTextFile(`${Deno.cwd()}/mine.txt`)),
            etc: await attempt(() => Deno.readTextFile("/etc/hostname")),
            usr: await attempt(async () => Array.from(Deno.readDirSync("/usr"))),
            tmp: await attempt(() => Deno.writeTextFile("/tmp/x", "x")),
            env: await attempt(async () => Deno.env.get("SLUICE_JOB_ID")),
            run: await attempt(() => new Deno.Command("/bin/true").output()),
          };
        }
        """

    @Test("by default a job reads and writes only its scratch directory: no other file, no environment, no subprocess")
    func defaultPermissions() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let job = try await harness.finished(try harness.run(.deno, Self.probe))
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(
                job.result
                    == [
                        "ownWrite": "yes", "ownRead": "yes", "etc": "NotCapable", "usr": "NotCapable", "tmp": "NotCapable", "env": "NotCapable",
                        "run": "NotCapable",
                    ])
        }
    }

    @Test("--deno-allow grants more: read, env, run (still inside the job sandbox)")
    func grantedPermissions() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner(permissions: try DenoPermissions(parsing: "net,read,env,run"))) { _ in
            let job = try await harness.finished(try harness.run(.deno, Self.probe))
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result?["etc"] == "yes")
            #expect(job.result?["env"] == "yes")
            #expect(job.result?["run"] == "yes")
            // Deno allows writing, the sandbox still does not.
            #expect(job.result?["tmp"] == "NotCapable")
        }
    }

    @Test("--deno-allow refuses names Deno does not know")
    func unknownPermission() {
        #expect(throws: DenoPermissionError.self) { try DenoPermissions(parsing: "net,internet") }
        #expect((try? DenoPermissions(parsing: "net=example.com:443,env=TZ,LANG"))?.entries == ["net=example.com:443", "env=TZ,LANG"])
        #expect((try? DenoPermissions(parsing: ""))?.entries == [])
    }

    @Test("flow steps in deno, bun and nativets run on Deno and pass data along with python3")
    func flowSteps() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: a
                      value:
                        type: rawscript
                        language: deno
                        content: "export async function main(n: number) { return { n: n + 1 }; }"
                        input_transforms: {n: {type: javascript, expr: flow_input.n}}
                    - id: b
                      value:
                        type: rawscript
                        language: bun
                        content: "export function main(x: { n: number }, label = 'b') { return `${label}:${x.n * 2}`; }"
                        input_transforms: {x: {type: javascript, expr: results.a}}
                    - id: c
                      value:
                        type: rawscript
                        language: python3
                        content: "def main(text):\n    return text.upper()\n"
                        input_transforms: {text: {type: javascript, expr: previous_result}}
                    - id: d
                      value:
                        type: rawscript
                        language: nativets
                        content: "export const main = async (s: string) => [s, s.length]"
                        input_transforms: {s: {type: javascript, expr: results.c}}
                """,
                input: ["n": 20])
            let flow = try await harness.finished(id)
            #expect(flow.state == .success, "\(flow.error ?? "")")
            #expect(flow.result == ["B:42", 4])
        }
    }

    @Test("dedicated TypeScript: the module stays loaded between jobs, console output is each job's, a crash restarts it")
    func dedicated() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(harness.settings(concurrency: 1), runner: runner()) { _ in
            let connection = try server.connect()
            let path = try #require(ScriptPath("f/test/ts_counter"))
            let script = """
                // sluice: dedicated
                let count = 0;
                const process = crypto.randomUUID();
                export async function main(label: string, crash = false) {
                  count += 1;
                  console.log(`job ${label} sees ${count}`);
                  if (crash) Deno.exit(3);
                  if (label === "boom") throw new Error("boom");
                  return { count, process };
                }
                """
            let (hash, _) = try ScriptStore(keys: harness.store.keys).push(path: path, language: .deno, content: script, on: connection)
            func run(_ arguments: JSONValue) async throws -> JobRecord {
                let id = JobID.generate()
                try harness.store.enqueue(
                    EnqueueRequest(id: id, kind: .script, arguments: arguments, path: path.rawValue, scriptHash: hash, language: .deno),
                    on: connection)
                return try await harness.finished(id)
            }
            let first = try await run(["label": "a"])
            let second = try await run(["label": "b"])
            #expect(first.result?["count"] == 1, "\(first.error ?? "")")
            #expect(second.result?["count"] == 2)
            #expect(second.result?["process"] == first.result?["process"])
            #expect(try harness.store.logs(second.id, on: connection)?.contains("job b sees 2") == true)
            #expect(try harness.store.logs(second.id, on: connection)?.contains("job a") == false)
            let failed = try await run(["label": "boom"])
            #expect(failed.error?.hasPrefix("Error: boom") == true, "\(failed.error ?? "")")
            let crashed = try await run(["label": "c", "crash": true])
            #expect(crashed.state == .failure)
            let restarted = try await run(["label": "d"])
            #expect(restarted.result?["count"] == 1)
            #expect(restarted.result?["process"] != first.result?["process"])
        }
    }

    @Test("a TypeScript job that runs too long is killed and says it timed out, per job and dedicated", arguments: ["", "// sluice: dedicated\n"])
    func timeout(marker: String) async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let began = ContinuousClock.now
            let id = try harness.run(
                .deno, marker + "export async function main() {\n  await new Promise((r) => setTimeout(r, 300000));\n}\n", timeoutSeconds: 1)
            let job = try await harness.finished(id)
            #expect(job.error == "timed out after 1 s", "\(job.error ?? "")")
            #expect(ContinuousClock.now - began < .seconds(50))
        }
    }
}

extension TypeScriptTests {
    @Test(
        "a scratch root too long for a TypeScript job's channel socket: the worker says so, and a windmill-client call fails saying why; python reaches it"
    )
    func scratchRootTooLongForDeno() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-long-" + String(repeating: "r", count: 60)).path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let long = ScriptRunner(settings: ScriptRunnerSettings(scratchRoot: root))
        try await long.prepare()
        #expect(long.denoChannelNotice?.contains("shorter") == true, "\(long.denoChannelNotice ?? "no notice")")
        let usual = runner()
        try await usual.prepare()
        #expect(usual.denoChannelNotice == nil)
        usual.shutDown()
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: long) { _ in
            let typescript = try harness.run(
                .deno,
                "import * as wmill from \"windmill-client\";\nexport async function main() {\n  return await wmill.getVariable(\"f/long/none\");\n}\n"
            )
            let failed = try await harness.finished(typescript, timeout: .seconds(180))
            #expect(failed.error?.contains("over the 107 a Unix socket address holds") == true, "\(failed.error ?? "")")
            let python = try harness.run(.python3, "import wmill\n\ndef main():\n    return wmill.get_variable('f/long/none')\n")
            let answered = try await harness.finished(python)
            #expect(answered.state == .failure)
            #expect(answered.error?.contains("f/long/none") == true, "the python job did not reach its channel: \(answered.error ?? "")")
        }
    }

    @Test("Bun scripts: Bun.env, Bun.file and Bun.write in the job's directory, Bun.sleep; other Bun APIs and bun: modules fail naming themselves")
    func bunCompatibility() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let id = try harness.run(
                .deno,
                """
                import { readFileSync } from "fs";
                import path from "path";

                export async function main(name: string) {
                  const started = Date.now();
                  await Bun.sleep(50);
                  const slept = Date.now() - started >= 45;
                  const written = await Bun.write("notes.txt", `hello ${name}`);
                  const file = Bun.file("notes.txt");
                  await Bun.write(Bun.file("copy.json"), JSON.stringify({ copied: await file.text() }));
                  let serve = "";
                  try { Bun.serve({ fetch: () => new Response("x") }); } catch (error) { serve = (error as Error).message; }
                  let outside = "";
                  try { await Bun.write("/etc/sluice-bun-test", "x"); } catch (error) { outside = (error as Error).name; }
                  let sqlite = "";
                  try { await import("bun:sqlite"); } catch (error) { sqlite = (error as Error).message; }
                  return {
                    job: Bun.env.SLUICE_JOB_ID === undefined ? "missing" : "set", custom: Bun.env.GREETING, slept, written,
                    text: await file.text(), size: file.size, exists: await file.exists(), missing: await Bun.file("nope").exists(),
                    copy: await Bun.file("copy.json").json(), node: readFileSync("notes.txt", "utf8") === `hello ${name}`,
                    joined: path.join("a", "b"), serve, outside, sqlite,
                  };
                }
                """,
                arguments: ["name": "bun"], environment: ["GREETING": "hi"])
            let job = try await harness.finished(id)
            #expect(job.state == .success, "\(job.error ?? "")")
            let result = try #require(job.result)
            #expect(result["job"] == "set")
            #expect(result["custom"] == "hi")
            #expect(result["slept"] == true)
            #expect(result["written"] == 9)
            #expect(result["text"] == "hello bun")
            #expect(result["size"] == 9)
            #expect(result["exists"] == true)
            #expect(result["missing"] == false)
            #expect(result["copy"] == ["copied": "hello bun"])
            #expect(result["node"] == true)
            #expect(result["joined"] == "a/b")
            #expect(result["serve"]?.stringValue?.hasPrefix("Bun.serve is not supported by Sluice") == true, "\(result["serve"] ?? .null)")
            #expect(result["outside"] == "NotCapable")
            #expect(result["sqlite"]?.stringValue?.hasPrefix("bun:sqlite is not supported by Sluice") == true, "\(result["sqlite"] ?? .null)")
        }
    }

    @Test("a script that never names Bun has no Bun global; a file import fails naming it")
    func noBunGlobal() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        try await harness.withWorker(runner: runner()) { _ in
            let plain = try await harness.finished(try harness.run(.deno, "export function main() { return typeof globalThis[\"B\" + \"un\"]; }\n"))
            #expect(plain.result == "undefined", "\(plain.error ?? "")")
            let relative = try await harness.finished(
                try harness.run(.deno, "import { x } from \"/f/ION/_lib/session\";\nexport function main() { return x; }\n"))
            #expect(relative.state == .failure)
            #expect(relative.error?.contains("importing /f/ION/_lib/session is not supported by Sluice") == true, "\(relative.error ?? "")")
        }
    }
}

import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceRuntime
import SluiceScripts
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// npm and jsr packages and remote modules in TypeScript scripts, without the internet: a local
/// registry (``PackageRegistry``) the test builds and takes down; the lock written by
/// `sluice script push`; the worker's Deno cache per lock, filled once, read-only to jobs.
@Suite("TypeScript packages", .serialized, .tags(.processes))
struct TypeScriptPackageTests {
    let server: RedisServer

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    static let leftpad = [
        PackageRegistry.NPMVersion(name: "leftpad-sluice", version: "1.1.0", source: Self.pad("1.1.0")),
        PackageRegistry.NPMVersion(name: "leftpad-sluice", version: "1.2.0", source: Self.pad("1.2.0")),
        PackageRegistry.NPMVersion(name: "leftpad-sluice", version: "2.0.0", source: Self.pad("2.0.0")),
    ]

    static func pad(_ version: String) -> String {
        "module.exports = function pad(s, n, c) { s = String(s); while (s.length < n) s = (c || ' ') + s; return s + '@\(version)'; };\n"
    }

    static func registry() async throws -> PackageRegistry {
        try await PackageRegistry(
            npm: leftpad,
            jsr: [
                PackageRegistry.JSRVersion(scope: "sluice", name: "twice", version: "0.3.0", module: "export const twice = (x: number) => x * 2;\n")
            ],
            remote: ["triple.ts": "export const triple = (x: number) => x * 3;\n"])
    }

    func runner(root: String, registry: PackageRegistry, permissions: DenoPermissions = DenoPermissions()) -> ScriptRunner {
        ScriptRunner(
            settings: ScriptRunnerSettings(
                scratchRoot: root + "/scratch", cacheRoot: root + "/cache", denoPermissions: permissions, npmRegistry: registry.url,
                jsrRegistry: registry.url))
    }

    static func temporaryRoot() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ts-\(UUID().uuidString.prefix(8))").path
        for folder in [root, root + "/scratch", root + "/cache"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return root
    }

    /// Queues a run of the current version of the script at `path`.
    func run(_ path: String, _ arguments: JSONValue = [:], harness: WorkerHarness) throws -> JobID {
        let connection = try server.connect()
        let stored = try #require(try ScriptStore(keys: harness.store.keys).script(at: path, on: connection))
        let id = JobID.generate()
        try harness.store.enqueue(
            EnqueueRequest(id: id, kind: .script, arguments: arguments, path: path, scriptHash: stored.hash, language: .deno), on: connection)
        return id
    }

    func push(_ content: String, at path: String, keys: KeySpace, registry: PackageRegistry, extra: [String] = []) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ts-\(UUID().uuidString).ts")
        try content.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await runCommand(
            "sluice", ["script", "push", path, file.path, "--npm-registry", registry.url, "--jsr-registry", registry.url] + extra,
            environment: ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix])
    }

    @Test(
        "push locks npm (a range), jsr and remote imports; a job runs with them; a second job, on another worker, runs from the cache with the registry down"
    )
    func lockAndCache() async throws {
        let registry = try await Self.registry()
        let root = try Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let script = """
            import * as wmill from "npm:windmill-client@^1.158.2";
            import pad from "npm:leftpad-sluice@^1.0.0";
            import { twice } from "jsr:@sluice/twice@^0.3";
            import { triple } from "\(registry.url)remote/triple.ts";

            export async function main(text = "x") {
              return { padded: pad(text, 3, "0"), twice: twice(21), triple: triple(2), job: wmill.getJobId() === null ? "none" : "some" };
            }
            """
        let pushed = try await push(script, at: "f/test/packages", keys: harness.store.keys, registry: registry)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("npm:leftpad-sluice@1.2.0"), "\(pushed.stdout)")
        #expect(pushed.stdout.contains("jsr:@sluice/twice@0.3.0"), "\(pushed.stdout)")
        #expect(pushed.stdout.contains("1 remote module"), "\(pushed.stdout)")
        #expect(!registry.requests.contains { $0.contains("windmill-client") }, "the client is never fetched: \(registry.requests)")
        let shown = try await runCommand(
            "sluice", ["script", "show", "f/test/packages", "--lock"],
            environment: ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": harness.store.keys.prefix])
        let lock = try TypeScriptLock(parsing: shown.stdout)
        #expect(lock.deno["specifiers"]?["npm:leftpad-sluice@1"] == "1.2.0", "\(shown.stdout)")
        #expect(lock.deno["jsr"]?["@sluice/twice@0.3.0"]?["integrity"]?.stringValue?.isEmpty == false)
        #expect(lock.deno["remote"]?["\(registry.url)remote/triple.ts"] == .string(ContentHash.of("export const triple = (x: number) => x * 3;\n")))

        let expected: JSONValue = ["padded": "00x@1.2.0", "twice": 42, "triple": 6, "job": "some"]
        try await harness.withWorker(runner: runner(root: root, registry: registry)) { _ in
            let job = try await harness.finished(try run("f/test/packages", harness: harness))
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result == expected)
        }
        let caches = try FileManager.default.contentsOfDirectory(atPath: root + "/cache/deno").filter { !$0.hasPrefix(".") && !$0.hasSuffix(".lock") }
        #expect(caches.count == 1, "one cache per lock: \(caches)")

        await registry.stop()
        let before = registry.requests.count
        // Another worker (a new runner: nothing in memory), the same cache on disk, no registry.
        try await harness.withWorker(runner: runner(root: root, registry: registry)) { _ in
            let job = try await harness.finished(try run("f/test/packages", ["text": "y"], harness: harness))
            #expect(job.state == .success, "\(job.error ?? "")")
            #expect(job.result?["padded"] == "00y@1.2.0")
            #expect(job.result?["triple"] == 6)
        }
        #expect(registry.requests.count == before)
    }

    @Test("a job cannot write into the Deno cache it shares with other jobs: refused by Deno, and by the sandbox when Deno would allow it")
    func cacheReadOnly() async throws {
        let registry = try await Self.registry()
        let root = try Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let victim = """
            import pad from "npm:leftpad-sluice@^1.0.0";
            export function main() { return pad("v", 2); }
            """
        // The same imports, so the same lock: the attacker's jobs run with the victim's cache.
        let attacker = """
            import pad from "npm:leftpad-sluice@^1.0.0";
            export async function main(target: string, directory: string) {
              const attempt = async (action: () => Promise<unknown>) => {
                try { await action(); return "written"; } catch (error) { return `${(error as Error).name}: ${(error as Error).message}`; }
              };
              return {
                overwrite: await attempt(() => Deno.writeTextFile(target, "module.exports = () => 'poisoned';")),
                plant: await attempt(() => Deno.writeTextFile(directory + "/planted.js", "x")),
                remove: await attempt(() => Deno.remove(target)),
                works: pad("a", 2),
              };
            }
            """
        for (path, content) in [("f/test/victim", victim), ("f/test/attacker", attacker)] {
            let pushed = try await push(content, at: path, keys: harness.store.keys, registry: registry)
            #expect(pushed.status == 0, "\(pushed.stderr)")
        }
        let connection = try server.connect()
        let scripts = ScriptStore(keys: harness.store.keys)
        let locks = try ["f/test/victim", "f/test/attacker"].map { path in
            try scripts.lock(hash: try #require(try scripts.script(at: path, on: connection)).hash, on: connection)
        }
        #expect(locks[0] != nil && locks[0] == locks[1])
        try await harness.withWorker(runner: runner(root: root, registry: registry)) { _ in
            let job = try await harness.finished(try run("f/test/victim", harness: harness))
            #expect(job.result == " v@1.2.0", "\(job.error ?? "")")
        }
        let package = try #require(
            FileManager.default.enumerator(atPath: root + "/cache/deno")?.compactMap { $0 as? String }.first {
                $0.hasSuffix("leftpad-sluice/1.2.0/index.js")
            })
        let target = root + "/cache/deno/" + package
        let original = try String(contentsOfFile: target, encoding: .utf8)
        let arguments: JSONValue = ["target": .string(target), "directory": .string((target as NSString).deletingLastPathComponent)]
        for permissions in [DenoPermissions(), try DenoPermissions(parsing: "all")] {
            try await harness.withWorker(runner: runner(root: root, registry: registry, permissions: permissions)) { _ in
                let job = try await harness.finished(try run("f/test/attacker", arguments, harness: harness))
                #expect(job.state == .success, "\(job.error ?? "")")
                #expect(job.result?["works"] == " a@1.2.0")
                for attempt in ["overwrite", "plant", "remove"] {
                    // Deno refuses by default; granted everything, the sandbox's read-only mount refuses.
                    let outcome = job.result?[attempt]?.stringValue ?? ""
                    let refused = permissions.entries == ["net"] ? outcome.hasPrefix("NotCapable") : outcome.contains("Read-only file system")
                    #expect(refused, "\(permissions.entries): \(attempt) \(outcome)")
                }
                #expect(try await harness.finished(try run("f/test/victim", harness: harness)).result == " v@1.2.0")
            }
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: (target as NSString).deletingLastPathComponent + "/planted.js"))
    }

    @Test("a dedicated TypeScript process runs with its lock's cache; a version without a lock fetches into a cache of its own job")
    func dedicatedAndUnlocked() async throws {
        let registry = try await Self.registry()
        let root = try Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let script = """
            // sluice: dedicated
            import pad from "npm:leftpad-sluice@~1.1";
            let runs = 0;
            export function main() { runs += 1; return [pad("k", 2), runs]; }
            """
        let pushed = try await push(script, at: "f/test/dedicated", keys: harness.store.keys, registry: registry)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        try await harness.withWorker(harness.settings(concurrency: 1), runner: runner(root: root, registry: registry)) { _ in
            let first = try await harness.finished(try run("f/test/dedicated", harness: harness))
            let second = try await harness.finished(try run("f/test/dedicated", harness: harness))
            #expect(first.result == [" k@1.1.0", 1], "\(first.error ?? "")")
            #expect(second.result == [" k@1.1.0", 2], "\(second.error ?? "")")
            // Stored without a lock (as an older sluice pushed it): fetched by the job itself, every run.
            let before = registry.requests.filter { $0.hasSuffix(".tgz") }.count
            let unlocked = try await harness.finished(
                try harness.run(.deno, "import pad from \"npm:leftpad-sluice@^1.0.0\";\nexport function main() { return pad(\"u\", 2); }\n"))
            #expect(unlocked.result == " u@1.2.0", "\(unlocked.error ?? "")")
            #expect(registry.requests.filter { $0.hasSuffix(".tgz") }.count == before + 1)
        }
        let caches = try FileManager.default.contentsOfDirectory(atPath: root + "/cache/deno").filter { !$0.hasPrefix(".") && !$0.hasSuffix(".lock") }
        #expect(caches.count == 1, "only the locked version has a shared cache: \(caches)")
    }

    @Test("a package that does not exist fails the push with Deno's message; the script is not stored")
    func unresolvable() async throws {
        let registry = try await Self.registry()
        let keys = KeySpace.unique()
        let pushed = try await push(
            "import x from \"npm:sluice-no-such-package@^1\";\nexport function main() { return x; }\n", at: "f/test/missing", keys: keys,
            registry: registry)
        #expect(pushed.status != 0)
        #expect(pushed.stderr.contains("sluice-no-such-package"), "\(pushed.stderr)")
        #expect(try ScriptStore(keys: keys).script(at: "f/test/missing", on: server.connect()) == nil)
    }

    @Test("a registry that cannot be reached from where one pushes: the script is stored unlocked, saying so (workers fetch at run time)")
    func unreachableRegistry() async throws {
        let keys = KeySpace.unique()
        let closed = "http://127.0.0.1:\(try RedisServer.freePort())/"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ts-\(UUID().uuidString).ts")
        try "import pad from \"npm:left-pad@^1\";\nexport function main() { return pad('a', 3); }\n".write(
            to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let pushed = try await runCommand(
            "sluice", ["script", "push", "f/test/offline", file.path, "--npm-registry", closed, "--jsr-registry", closed],
            environment: ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("not locked") && pushed.stdout.contains("cannot be reached"), "\(pushed.stdout)")
        let stored = try #require(try ScriptStore(keys: keys).script(at: "f/test/offline", on: server.connect()))
        #expect(try ScriptStore(keys: keys).lock(hash: stored.hash, on: server.connect()) == nil)
    }

    @Test("wmill sync push keeps the versions Windmill's locks pinned: a Bun .script.lock and a flow step's Deno lock")
    func windmillLocks() async throws {
        let registry = try await Self.registry()
        let root = try Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let folder = URL(fileURLWithPath: root).appendingPathComponent("workspace")
        let scripts = folder.appendingPathComponent("f/pins")
        try FileManager.default.createDirectory(at: scripts.appendingPathComponent("step.flow"), withIntermediateDirectories: true)
        func write(_ text: String, _ name: String) throws {
            try text.write(to: scripts.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        // A Bun script as wmill sync writes it: bare package names, the lock Bun made.
        try write(
            "import pad from \"leftpad-sluice\";\nimport { join } from \"path\";\nexport async function main() { return [pad(\"b\", 2), join(\"a\", \"b\")]; }\n",
            "bun_script.ts")
        try write(
            "summary: pinned by bun\nlanguage: bun\nkind: script\nschema: {}\nlock: '!inline f/pins/bun_script.script.lock'\n",
            "bun_script.script.yaml")
        try write(
            """
            {
              "dependencies": {
                "leftpad-sluice": "latest"
              }
            }
            //bun.lock
            {
              "lockfileVersion": 1,
              "workspaces": {
                "": {
                  "dependencies": {
                    "leftpad-sluice": "latest",
                  },
                },
              },
              "packages": {
                "leftpad-sluice": ["leftpad-sluice@1.1.0", "", {}, "sha512-whatever"],
              }
            }
            """, "bun_script.script.lock")
        // A flow whose Deno step carries Windmill's (v3) lock.
        try write(
            """
            summary: pinned by deno
            value:
              modules:
                - id: a
                  value:
                    type: rawscript
                    language: deno
                    content: |
                      import pad from "npm:leftpad-sluice@^1.0.0";
                      export function main() { return pad("d", 2); }
                    lock: '!inline a.lock'
                    input_transforms: {}
            schema: {}
            """, "step.flow/flow.yaml")
        try write(
            """
            {
              "version": "3",
              "packages": {
                "specifiers": {
                  "npm:leftpad-sluice@^1.0.0": "npm:leftpad-sluice@1.1.0",
                  "npm:windmill-client@1": "npm:windmill-client@1.300.0"
                },
                "npm": {
                  "leftpad-sluice@1.1.0": {"integrity": "sha512-whatever", "dependencies": {}}
                }
              },
              "remote": {}
            }
            """, "step.flow/a.lock")
        let environment = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": harness.store.keys.prefix]
        let pushed = try await runCommand(
            "sluice", ["sync", "push", folder.path, "--npm-registry", registry.url, "--jsr-registry", registry.url], environment: environment)
        #expect(pushed.status == 0, "\(pushed.stdout)\n\(pushed.stderr)")
        try await harness.withWorker(runner: runner(root: root, registry: registry)) { _ in
            let job = try await harness.finished(try run("f/pins/bun_script", harness: harness))
            #expect(job.result == [" b@1.1.0", "a/b"], "\(job.error ?? "")")
            let flow = JobID.generate()
            try harness.engine.start(.init(id: flow, path: "f/pins/step", input: [:]), on: try server.connect())
            let done = try await harness.finished(flow)
            #expect(done.result == " d@1.1.0", "\(done.error ?? "")")
        }
    }
}

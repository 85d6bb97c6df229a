import Foundation
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceSecrets
import SluiceStore
import SluiceTesting
import SluiceWorker
import Testing

/// Variables, secrets and resources reaching real jobs on real workers: every reference form,
/// every runner, the access rules, masking, state between runs, and each job's channel kept to
/// itself.
@Suite("Variables, secrets and resources in jobs", .serialized, .tags(.processes))
struct VariableTests {
    let server: RedisServer
    let key = SecretPrivateKey.generate()
    let secret = "sk_live_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    /// A worker's settings holding the secrets key.
    func settings(_ harness: WorkerHarness, concurrency: Int = 2) -> WorkerSettings {
        var settings = harness.settings(concurrency: concurrency)
        settings.keyring = SecretKeyring([key])
        return settings
    }

    /// `f/vt/api_key` (the secret, readable under `f/vt/` only), `f/vt/mode` (plain), and the
    /// resources `f/vt/db` (its password the secret) and `f/vt/hosts`.
    func seed(_ keys: KeySpace) throws {
        let connection = try server.connect()
        let variables = VariableStore(keys: keys)
        try variables.set(
            VariableUpdate(
                path: "f/vt/api_key", value: .sealed(try SecretSeal.seal(secret, path: "f/vt/api_key", to: key.publicKey), publicKey: key.publicKey),
                access: AccessRule(prefixes: ["f/vt/"])), on: connection)
        try variables.set(VariableUpdate(path: "f/vt/mode", value: .plain("live")), on: connection)
        let resources = ResourceStore(keys: keys)
        try resources.set(path: "f/vt/db", type: "postgresql", value: ["host": "db.internal", "password": "$var:f/vt/api_key"], on: connection)
        try resources.set(path: "f/vt/hosts", type: "c_hosts", value: ["names": ["alpha", "beta"]], on: connection)
    }

    /// Every value Redis holds under `keys`, as one text: what `redis-cli` would show.
    func dump(_ keys: KeySpace) throws -> String {
        let connection = try server.connect()
        var text = ""
        for name in try connection.send(["KEYS", .string(keys.prefix + "*")]).array?.compactMap(\.string) ?? [] {
            let command: [RedisArgument]
            switch try connection.send(["TYPE", .string(name)]).string {
            case "hash": command = ["HGETALL", .string(name)]
            case "string": command = ["GET", .string(name)]
            case "list": command = ["LRANGE", .string(name), "0", "-1"]
            case "set": command = ["SMEMBERS", .string(name)]
            case "zset": command = ["ZRANGE", .string(name), "0", "-1"]
            default: continue
            }
            let reply = try connection.send(command)
            text += name + " " + ((reply.array?.compactMap(\.string) ?? [reply.string ?? ""]).joined(separator: " ")) + "\n"
        }
        return text
    }

    static let flow = """
        summary: charge with a secret
        value:
          modules:
            - id: route
              value:
                type: branchone
                branches:
                  - expr: "variable('f/vt/mode') === 'live'"
                    modules:
                      - id: charge
                        value:
                          type: rawscript
                          language: python3
                          content: |
                            import wmill
                            def main(key, db, header):
                                direct = wmill.get_variable("f/vt/api_key")
                                print("charging with", direct)
                                return {"same": direct == key, "header": header == "Bearer " + key, "password": db["password"] == key,
                                        "host": db["host"], "echo": direct}
                          input_transforms:
                            key: {type: static, value: '$var:f/vt/api_key'}
                            db: {type: static, value: '$res:f/vt/db'}
                            header: {type: javascript, expr: '`Bearer ${variable("f/vt/api_key")}`'}
                default: []
            - id: each
              value:
                type: forloopflow
                iterator: {type: javascript, expr: "resource('f/vt/hosts').names"}
                modules:
                  - id: ping
                    value:
                      type: rawscript
                      language: bash
                      content: |
                        host="$1"
                        key=$(sluice-var f/vt/api_key)
                        echo "bash sees $key"
                        echo "$host ${#key}"
                      input_transforms:
                        host: {type: javascript, expr: flow_input.iter.value}
            - id: ts
              value:
                type: rawscript
                language: deno
                content: |
                  import * as wmill from "windmill-client";
                  export async function main() {
                    const key = await wmill.getVariable("f/vt/api_key");
                    const db = await wmill.getResource("f/vt/db");
                    console.log("deno sees", key);
                    return { length: key.length, password: db.password === key };
                  }
        """

    @Test(
        "a flow reads the secret in all three forms — $var:/$res:, variable()/resource(), wmill in python, bash and TypeScript — and it is never in Redis, logs or job show"
    )
    func referenceForms() async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        try await harness.withWorker(settings(harness)) { _ in
            let id = try harness.startFlow(Self.flow, path: "f/vt/charge")
            // Its TypeScript step's first run may wait for the Deno cache another suite is building
            // (78 s on a machine loaded three times over, where this wait's 60 s ran out).
            let flow = try await harness.finished(id, timeout: .seconds(180))
            #expect(flow.state == .success, "\(flow.error ?? "")")
            let connection = try server.connect()
            var results: [String: JSONValue] = [:]
            for (field, text) in try connection.send(["HGETALL", .string(keys.flowResults(id))]).pairs {
                results[field] = try JSONValue(parsing: text)
            }
            #expect(
                results["route"] == ["same": true, "header": true, "password": true, "host": "db.internal", "echo": .string(SecretRedactor.mask)])
            #expect(results["each"] == .array([.string("alpha \(secret.count)"), .string("beta \(secret.count)")]))
            #expect(results["ts"] == ["length": .number(Double(secret.count)), "password": true])
            let steps = try harness.steps(of: id)
            let charge = try #require(steps.first { $0.moduleID == "charge" })
            #expect(charge.arguments["key"] == .string(SecretRedactor.mask))
            #expect(charge.arguments["header"] == "Bearer ********")
            for step in steps where step.moduleID == "charge" || step.moduleID == "ping" || step.moduleID == "ts" {
                let logs = try harness.store.logs(step.id, on: connection) ?? ""
                #expect(logs.contains("********"), "\(step.moduleID ?? "?"): \(logs)")
                #expect(!logs.contains(secret))
            }
            #expect(!(try dump(keys)).contains(secret))
            for target in [id] + steps.map(\.id) {
                let shown = try await runCommand(
                    "sluice", ["job", "show", target.rawValue, "--json", "--redis", server.url, "--prefix", keys.prefix])
                #expect(shown.status == 0, "\(shown.stderr)")
                #expect(!shown.stdout.contains(secret))
                let logs = try await runCommand("sluice", ["job", "logs", target.rawValue, "--redis", server.url, "--prefix", keys.prefix])
                #expect(!logs.stdout.contains(secret))
            }
        }
    }

    @Test("a missing variable fails the step with an error naming it; a secret as a loop's elements is refused, naming why")
    func failures() async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        try await harness.withWorker(settings(harness)) { _ in
            let missing = try await harness.finished(
                try harness.startFlow(
                    "value:\n  modules:\n    - id: a\n      value: {type: rawscript, language: bash, content: 'echo $1', input_transforms: {x: {type: static, value: '$var:f/vt/nothing'}}}\n",
                    path: "f/vt/missing"))
            #expect(missing.state == .failure)
            #expect(missing.error?.contains("variable 'f/vt/nothing' does not exist") == true, "\(missing.error ?? "")")
            let looped = try await harness.finished(
                try harness.startFlow(
                    "value:\n  modules:\n    - id: a\n      value: {type: forloopflow, iterator: {type: javascript, expr: \"[variable('f/vt/api_key')]\"}, modules: [{id: b, value: {type: identity}}]}\n",
                    path: "f/vt/looped"))
            #expect(looped.state == .failure)
            #expect(looped.error?.contains("iterator: its value holds a secret") == true, "\(looped.error ?? "")")
            #expect(!(try dump(keys)).contains(secret))
        }
    }

    @Test(
        "a script outside the allowed prefix is refused — with wmill, with $var: in its arguments — and the refusal is in its logs; an error text is masked"
    )
    func accessRules() async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let connection = try server.connect()
        let scripts = ScriptStore(keys: keys)
        try await harness.withWorker(settings(harness)) { _ in
            func run(_ path: String, _ language: ScriptLanguage, _ content: String, arguments: JSONValue = [:]) throws -> JobID {
                let (hash, _) = try scripts.push(path: try #require(ScriptPath(path)), language: language, content: content, on: connection)
                let id = JobID.generate()
                try harness.store.enqueue(
                    EnqueueRequest(id: id, kind: .script, arguments: arguments, path: path, scriptHash: hash, language: language), on: connection)
                return id
            }
            let reader = "import wmill\n\ndef main():\n    return wmill.get_variable('f/vt/api_key')\n"
            let outside = try await harness.finished(try run("f/elsewhere/reader", .python3, reader))
            #expect(outside.state == .failure)
            #expect(outside.error?.contains("PermissionError: permission denied: variable 'f/vt/api_key' may be read only by") == true)
            let outsideLogs = try harness.store.logs(outside.id, on: connection) ?? ""
            #expect(outsideLogs.hasPrefix("[sluice: permission denied: variable 'f/vt/api_key'"), "\(outsideLogs)")

            let byArgument = try await harness.finished(
                try run("f/elsewhere/echo", .bash, "x=\"$1\"\necho \"$x\"\n", arguments: ["x": "$var:f/vt/api_key"]))
            #expect(byArgument.state == .failure)
            #expect(byArgument.error?.contains("permission denied") == true, "\(byArgument.error ?? "")")
            #expect(try harness.store.logs(byArgument.id, on: connection)?.contains("[sluice: permission denied") == true)

            let inside = try await harness.finished(try run("f/vt/echo", .bash, "x=\"$1\"\necho \"got $x\"\n", arguments: ["x": "$var:f/vt/api_key"]))
            #expect(inside.state == .success)
            #expect(inside.result == "got ********")
            #expect(inside.arguments["x"] == "$var:f/vt/api_key")

            let failing = try await harness.finished(
                try run("f/vt/fail", .python3, "import wmill\n\ndef main():\n    raise ValueError('bad key ' + wmill.get_variable('f/vt/api_key'))\n")
            )
            #expect(failing.state == .failure)
            #expect(failing.error?.contains("ValueError: bad key ********") == true, "\(failing.error ?? "")")
            #expect(!(try dump(keys)).contains(secret))
        }
    }

    @Test(
        "a flow's expressions have the flow's rights only: naming another folder's script gains nothing; a script step reads with its script's rights"
    )
    func flowRights() async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let connection = try server.connect()
        let scripts = ScriptStore(keys: keys)
        let echo = "x=\"$1\"\necho \"got ${#x}\"\n"
        try scripts.push(path: try #require(ScriptPath("f/vt/echo")), language: .bash, content: echo, on: connection)
        let reader = "import wmill\n\ndef main():\n    return len(wmill.get_variable('f/vt/api_key'))\n"
        try scripts.push(path: try #require(ScriptPath("f/vt/reader")), language: .python3, content: reader, on: connection)
        try scripts.push(path: try #require(ScriptPath("f/elsewhere/reader")), language: .python3, content: reader, on: connection)
        try await harness.withWorker(settings(harness)) { _ in
            // The attack: a flow under f/attacker/ names f/vt/echo and passes the secret to it.
            for transform in ["{type: javascript, expr: \"variable('f/vt/api_key')\"}", "{type: static, value: '$var:f/vt/api_key'}"] {
                let steal = try await harness.finished(
                    try harness.startFlow(
                        "value:\n  modules:\n    - id: a\n      value: {type: script, path: f/vt/echo, input_transforms: {x: \(transform)}}\n",
                        path: "f/attacker/steal"))
                #expect(steal.state == .failure)
                #expect(steal.error?.contains("permission denied: variable 'f/vt/api_key'") == true, "\(steal.error ?? "")")
                #expect(steal.error?.contains("this job is f/attacker/steal") == true, "\(steal.error ?? "")")
            }
            // Inside its own process a script step has its script's rights: f/vt/reader reads its
            // folder's secret in any flow; f/elsewhere/reader does not, even in a flow under f/vt/.
            let step = "value:\n  modules:\n    - id: a\n      value: {type: script, path: PATH}\n"
            let own = try await harness.finished(
                try harness.startFlow(step.replacingOccurrences(of: "PATH", with: "f/vt/reader"), path: "f/attacker/uses"))
            #expect(own.state == .success, "\(own.error ?? "")")
            #expect(own.result == .number(Double(secret.count)))
            let borrowed = try await harness.finished(
                try harness.startFlow(step.replacingOccurrences(of: "PATH", with: "f/elsewhere/reader"), path: "f/vt/borrows"))
            #expect(borrowed.state == .failure)
            #expect(borrowed.error?.contains("permission denied") == true, "\(borrowed.error ?? "")")
            #expect(borrowed.error?.contains("this job is f/elsewhere/reader") == true, "\(borrowed.error ?? "")")
            // An inline step has its flow's rights.
            let inline = try await harness.finished(
                try harness.startFlow(
                    "value:\n  modules:\n    - id: a\n      value:\n        type: rawscript\n        language: python3\n        content: |\n"
                        + reader.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n") + "\n",
                    path: "f/attacker/inline"))
            #expect(inline.state == .failure)
            #expect(inline.error?.contains("permission denied") == true, "\(inline.error ?? "")")
            #expect(!(try dump(keys)).contains(secret))
        }
    }

    @Test(
        "a flow passes a secret on only as it is: transforming, measuring or testing it is refused, and no decision may hold one",
        arguments: [
            ("x", "variable('f/vt/api_key').split('').reverse().join('')", "the method 'split' would look into a secret value"),
            ("x", "variable('f/vt/api_key').length", "reading 'length' would look into a secret value"),
            ("x", "variable('f/vt/api_key')[3]", "indexing would look into a secret value"),
            ("x", "variable('f/vt/api_key') === 'sk_live' ? 1 : 2", "the operator '===' would look into a secret value"),
            ("x", "JSON.stringify(resource('f/vt/db'))", "JSON.stringify() would look into a secret value"),
            ("x", "variable('f/vt/api_key') || 'none'", "testing its truth would look into a secret value"),
            ("x", "[...variable('f/vt/api_key')]", "spreading would look into a secret value"),
            ("sleep", "variable('f/vt/api_key').charCodeAt(0) % 3", "the method 'charCodeAt' would look into a secret value"),
            ("skip_if", "resource('f/vt/db').password", "skip_if: its value holds a secret"),
            ("sleep", "{type: static, value: '$var:f/vt/api_key'}", "sleep: its value holds a secret"),
        ])
    func derivedSecrets(place: String, expression: String, message: String) async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let transform = expression.hasPrefix("{") ? expression : "{type: javascript, expr: \"\(expression)\"}"
        let module: String
        switch place {
        case "x": module = "{type: rawscript, language: bash, content: 'echo \"$1\"', input_transforms: {x: \(transform)}}"
        default: module = "{type: rawscript, language: bash, content: 'echo hi'}"
        }
        var yaml = "value:\n  modules:\n    - id: a\n      value: \(module)\n"
        switch place {
        case "sleep": yaml += "      sleep: \(transform)\n"
        case "skip_if": yaml += "      skip_if: {expr: \"\(expression)\"}\n"
        default: break
        }
        yaml += "    - id: b\n      value: {type: identity}\n"
        try await harness.withWorker(settings(harness)) { _ in
            let flow = try await harness.finished(try harness.startFlow(yaml, path: "f/vt/derive"))
            #expect(flow.state == .failure)
            #expect(flow.error?.contains(message) == true, "\(flow.error ?? "")")
            #expect(!(try dump(keys)).contains(secret))
        }
    }

    @Test("a dedicated process serves one script path: the same script pushed elsewhere never shares its memory", arguments: ["python3", "deno"])
    func dedicatedPerPath(language: String) async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let connection = try server.connect()
        let scripts = ScriptStore(keys: keys)
        // Keeps the secret it read (when it may) and answers what an earlier job of its process kept.
        let content =
            language == "python3"
            ? "# sluice: dedicated\nimport os, wmill\nkept = []\nprocess = os.urandom(8).hex()\n\ndef main(read: bool):\n    before = list(kept)\n"
                + "    if read:\n        kept.append(wmill.get_variable('f/vt/api_key'))\n    return {'kept': before, 'process': process}\n"
            : "// sluice: dedicated\nimport * as wmill from \"windmill-client\";\nconst kept: string[] = [];\nconst process = crypto.randomUUID();\n"
                + "export async function main(read: boolean) {\n  const before = [...kept];\n"
                + "  if (read) kept.push(await wmill.getVariable(\"f/vt/api_key\"));\n  return { kept: before, process };\n}\n"
        let scriptLanguage: ScriptLanguage = language == "python3" ? .python3 : .deno
        let (victimHash, _) = try scripts.push(
            path: try #require(ScriptPath("f/vt/keeper")), language: scriptLanguage, content: content, on: connection)
        let (attackerHash, _) = try scripts.push(
            path: try #require(ScriptPath("f/attacker/keeper")), language: scriptLanguage, content: content, on: connection)
        #expect(victimHash == attackerHash)
        try await harness.withWorker(settings(harness, concurrency: 1)) { _ in
            func run(_ path: String, read: Bool) async throws -> JobRecord {
                let id = JobID.generate()
                try harness.store.enqueue(
                    EnqueueRequest(
                        id: id, kind: .script, arguments: ["read": .bool(read)], path: path, scriptHash: victimHash, language: scriptLanguage),
                    on: connection)
                return try await harness.finished(id)
            }
            let victim = try await run("f/vt/keeper", read: true)
            #expect(victim.state == .success, "\(victim.error ?? "")")
            let again = try await run("f/vt/keeper", read: false)
            #expect(again.state == .success, "\(again.error ?? "")")
            // Same path: the same warm process, which kept the secret — masked in the later job's
            // record too, though that job never read it.
            #expect(again.result?["process"] == victim.result?["process"])
            #expect(again.result?["kept"] == [.string(SecretRedactor.mask)])
            let attacker = try await run("f/attacker/keeper", read: false)
            #expect(attacker.state == .success, "\(attacker.error ?? "")")
            #expect(attacker.result?["kept"] == [])
            #expect(attacker.result?["process"] != victim.result?["process"])
            #expect(!(try dump(keys)).contains(secret))
        }
    }

    static let stateful = """
        import wmill

        def main(step: int):
            before = wmill.get_state()
            wmill.set_state({"runs": (before or {}).get("runs", 0) + 1, "last": step})
            return {"before": before, "secret": len(wmill.get_variable("f/vt/api_key")), "mode": wmill.get_variable("f/vt/mode")}
        """

    @Test("every python runner: variables through the channel, and state kept across runs", arguments: [PythonRunnerMode.fork, .process, .dedicated])
    func pythonRunners(mode: PythonRunnerMode) async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let connection = try server.connect()
        let (hash, _) = try ScriptStore(keys: keys).push(
            path: try #require(ScriptPath("f/vt/counter")), language: .python3, content: Self.stateful, on: connection)
        try await harness.withWorker(settings(harness), runner: ScriptRunner(settings: ScriptRunnerSettings(pythonRunner: mode))) { _ in
            var previous: JSONValue = .null
            for step in 1...3 {
                let id = JobID.generate()
                try harness.store.enqueue(
                    EnqueueRequest(
                        id: id, kind: .script, arguments: ["step": .number(Double(step))], path: "f/vt/counter", scriptHash: hash, language: .python3),
                    on: connection)
                let job = try await harness.finished(id)
                #expect(job.state == .success, "\(job.error ?? "")")
                #expect(job.result == ["before": previous, "secret": .number(Double(secret.count)), "mode": "live"])
                previous = ["runs": .number(Double(step)), "last": .number(Double(step))]
            }
            #expect(try StateStore(keys: keys).state(at: "f/vt/counter", on: connection) == previous)
        }
    }

    @Test("TypeScript in a process per job and in a dedicated process: getVariable, getResource, getState/setState", arguments: [false, true])
    func typeScriptRunners(dedicated: Bool) async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let harness = WorkerHarness(server: server, keys: keys)
        let connection = try server.connect()
        let content = """
            import * as wmill from "windmill-client";
            export async function main() {
              const before = await wmill.getState();
              await wmill.setState({ runs: (before?.runs ?? 0) + 1 });
              return { before, length: (await wmill.getVariable("f/vt/api_key")).length, host: (await wmill.getResource("f/vt/db")).host };
            }
            """
        let (hash, _) = try ScriptStore(keys: keys).push(
            path: try #require(ScriptPath("f/vt/ts_counter")), language: .deno, content: content, on: connection)
        try await harness.withWorker(settings(harness), runner: ScriptRunner(settings: ScriptRunnerSettings(denoDedicated: dedicated))) { _ in
            var previous: JSONValue = .null
            for runs in 1...2 {
                let id = JobID.generate()
                try harness.store.enqueue(
                    EnqueueRequest(id: id, kind: .script, arguments: [:], path: "f/vt/ts_counter", scriptHash: hash, language: .deno), on: connection)
                let job = try await harness.finished(id)
                #expect(job.state == .success, "\(job.error ?? "")")
                #expect(job.result == ["before": previous, "length": .number(Double(secret.count)), "host": "db.internal"])
                previous = ["runs": .number(Double(runs))]
            }
        }
    }

    @Test(
        "another job cannot connect to a job's socket, even knowing its path, nor use its token on its own channel",
        arguments: [PythonRunnerMode.process, .fork])
    func channelIsolation(mode: PythonRunnerMode) async throws {
        let keys = KeySpace.unique()
        try seed(keys)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-channel-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = WorkerHarness(server: server, keys: keys)
        let connection = try server.connect()
        let scripts = ScriptStore(keys: keys)
        let runner = ScriptRunner(settings: ScriptRunnerSettings(scratchRoot: root, pythonRunner: mode))
        try await harness.withWorker(settings(harness), runner: runner) { _ in
            let victimContent = """
                echo "$SLUICE_CHANNEL $SLUICE_CHANNEL_TOKEN" > "$HOME/where"
                for i in $(seq 1 200); do [ -e "$HOME/go" ] && break; sleep 0.05; done
                key=$(sluice-var f/vt/api_key)
                echo "still mine ${#key}"
                """
            let (victimHash, _) = try scripts.push(
                path: try #require(ScriptPath("f/vt/victim")), language: .bash, content: victimContent, on: connection)
            let victim = JobID.generate()
            try harness.store.enqueue(
                EnqueueRequest(id: victim, kind: .script, path: "f/vt/victim", scriptHash: victimHash, language: .bash), on: connection)
            var found: (directory: String, path: String, token: String)?
            for _ in 0..<400 where found == nil {
                let wheres = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
                    $0.hasSuffix("/where") && $0.contains(victim.rawValue)
                }
                if let relative = wheres.first, let text = try? String(contentsOfFile: root + "/" + relative, encoding: .utf8) {
                    let parts = text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                    if parts.count == 2 { found = (root + "/" + String(relative.dropLast("/where".count)), parts[0], parts[1]) }
                }
                if found == nil { try await Task.sleep(for: .milliseconds(25)) }
            }
            var target = try #require(found, "the victim never wrote where its channel is")
            // A bash job in a slot sandbox sees the scratch directory at /sluice: the thief gets the host's path.
            if target.path.hasPrefix("/sluice/") {
                target.path = try #require(runner.scratchDirectory) + "/" + target.path.dropFirst("/sluice/".count)
            }
            let thiefContent = """
                import json, os, signal, socket

                signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a forked job starts with the default (fatal) SIGPIPE

                def ask(path, token):
                    try:
                        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                            s.settimeout(5)
                            s.connect(path)
                            s.sendall((json.dumps({"op": "get_variable", "path": "f/vt/api_key", "token": token}) + "\\n").encode())
                            answer = s.recv(65536)
                            return json.loads(answer) if answer else "closed"
                    except OSError as error:
                        return type(error).__name__

                def main(path: str, token: str):
                    return {"theirs": ask(path, token), "mine_with_their_token": ask(os.environ["SLUICE_CHANNEL"], token)}
                """
            let (thiefHash, _) = try scripts.push(
                path: try #require(ScriptPath("f/vt/thief")), language: .python3, content: thiefContent, on: connection)
            let thief = JobID.generate()
            try harness.store.enqueue(
                EnqueueRequest(
                    id: thief, kind: .script, arguments: ["path": .string(target.path), "token": .string(target.token)], path: "f/vt/thief",
                    scriptHash: thiefHash, language: .python3), on: connection)
            let stolen = try await harness.finished(thief)
            let thiefLogs = try harness.store.logs(thief, on: connection) ?? ""
            #expect(stolen.state == .success, "\(stolen.error ?? "") \(thiefLogs)")
            let theirs = try #require(stolen.result?["theirs"])
            // bubblewrap: the path does not exist for the thief. A forked thief reaches the socket (jobs forked from one
            // server share a view of the runs directory) and its connection is closed at once: it is not the victim's process.
            if mode == .process {
                #expect(theirs == "FileNotFoundError", "\(theirs)")
            } else {
                #expect(["closed", "ConnectionResetError", "BrokenPipeError"].contains(theirs.stringValue ?? ""), "\(theirs)")
            }
            #expect(stolen.result?["mine_with_their_token"]?["kind"] == "permission", "\(stolen.result ?? .null)")
            _ = FileManager.default.createFile(atPath: target.directory + "/go", contents: Data())
            let done = try await harness.finished(victim)
            #expect(done.state == .success, "\(done.error ?? "")")
            #expect(done.result == .string("still mine \(secret.count)"))
        }
    }

    @Test("a gated step's script gets its links through its channel: no minting key in its environment")
    func resumeLinks() async throws {
        let keys = KeySpace.unique()
        let harness = WorkerHarness(server: server, keys: keys)
        try await harness.withWorker(settings(harness)) { _ in
            let id = try harness.startFlow(
                """
                value:
                  modules:
                    - id: ask
                      value:
                        type: rawscript
                        language: python3
                        content: |
                          import os, wmill
                          def main():
                              return {"links": wmill.get_resume_urls("alice"), "keys": sorted(k for k in os.environ if "MINT" in k)}
                      suspend: {required_events: 1, timeout: 60}
                """)
            let connection = try server.connect()
            var step: JobRecord?
            for _ in 0..<400 {
                step = try harness.steps(of: id).first
                if step?.state.isFinal == true { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            let asked = try #require(step)
            #expect(asked.state == .success, "\(asked.error ?? "")")
            #expect(asked.result?["keys"] == [])
            let page = try #require(asked.result?["links"]?["approvalPage"]?.stringValue)
            #expect(page.contains("/approvals/\(asked.id.rawValue)/u."), "\(page)")
            #expect(try connection.send(["HGET", .string(keys.gate(asked.id)), "state"]).string == "open")
        }
    }
}

extension RedisReply {
    /// An HGETALL answer as (field, value) pairs.
    var pairs: [(String, String)] {
        let items = array?.compactMap(\.string) ?? []
        return stride(from: 0, to: items.count - 1, by: 2).map { (items[$0], items[$0 + 1]) }
    }
}

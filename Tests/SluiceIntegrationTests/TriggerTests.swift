import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceResumer
import SluiceStore
import SluiceTesting
import SluiceTriggers
import Synchronization
import Testing

/// Webhooks and routes over real HTTP against the resumer, with a real worker running what they
/// start: Windmill's URLs and answers, every token case, signatures, preprocessors, one run per
/// delivery, rate limits.
@Suite("Triggers: webhooks and HTTP routes", .serialized)
struct TriggerTests {
    let server: RedisServer

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    static let echo = """
        import time

        def main(name: str = "world", n: int = 1, pause: float = 0, fail: bool = False):
            if pause:
                time.sleep(pause)
            if fail:
                raise ValueError("asked to fail")
            return {"hello": name, "n": n}
        """

    static let greetFlow = """
        summary: greet
        value:
          modules:
            - id: a
              value:
                type: rawscript
                language: python3
                content: "def main(who):\\n    return f'hi {who}'\\n"
                input_transforms:
                  who: {type: javascript, expr: flow_input.who}
        schema:
          type: object
          properties: {who: {type: string}}
          required: [who]
        """

    /// What every test here needs: the stack, the scripts and flow pushed, a token.
    struct Setup {
        let stack: ApprovalStack
        let token: String
        var keys: KeySpace { stack.harness.store.keys }
        var jobs: String { stack.baseURL + "/api/w/\(keys.name)/jobs" }
        var reads: String { stack.baseURL + "/api/w/\(keys.name)/jobs_u" }
        func connection() throws -> RedisConnection { try stack.harness.server.connect() }

        func post(_ url: String, _ body: String, token: String? = nil, headers: [String: String] = [:], type: String = "application/json")
            async throws
            -> ApprovalStack.HTTPAnswer
        {
            var all = headers
            if let token { all["Authorization"] = "Bearer " + token }
            return try await stack.request("POST", url, body: body, contentType: type, headers: all)
        }
    }

    func withSetup(configure: @escaping (inout ResumerSettings) -> Void = { _ in }, _ body: (Setup) async throws -> Void) async throws {
        try await ApprovalStack.with(server: server, configure: configure) { stack in
            let connection = try stack.harness.server.connect()
            let keys = stack.harness.store.keys
            _ = try ScriptStore(keys: keys).push(path: try #require(ScriptPath("f/trg/echo")), language: .python3, content: Self.echo, on: connection)
            try stack.harness.pushFlow(Self.greetFlow, path: "f/trg/greet")
            let token = try TokenStore(keys: keys).create(
                name: "ci", scopes: [try #require(TokenScope("run:f/trg/*"))], expiresAt: nil, createdBy: "test", on: connection)
            try await body(Setup(stack: stack, token: token.text))
        }
    }

    /// Polls a result URL until it answers 200 (or 422).
    func poll(_ setup: Setup, _ url: String) async throws -> ApprovalStack.HTTPAnswer {
        for _ in 0..<300 {
            let answer = try await setup.stack.request("GET", url, headers: ["Authorization": "Bearer " + setup.token])
            if answer.status == 200 || answer.status == 422 { return answer }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(url) never answered a result")
        throw FlowRuntimeError("no result")
    }

    @Test("async and sync runs of a script and a flow: 201 and the id, then the result; run_wait_result answers the result, 422 for a failure")
    func asyncAndSync() async throws {
        try await withSetup { setup in
            let started = try await setup.post(setup.jobs + "/run/p/f/trg/echo", #"{"name": "Ada", "n": 3}"#, token: setup.token)
            #expect(started.status == 201, "\(started.body)")
            let id = try #require(JobID(started.body))
            let result = try await poll(setup, setup.reads + "/completed/get_result/\(id)")
            #expect(result.json == ["hello": "Ada", "n": 3])
            let maybe = try await setup.stack.request("GET", setup.reads + "/completed/get_result_maybe/\(id)?token=" + setup.token)
            #expect(maybe.json == ["started": true, "completed": true, "success": true, "result": ["hello": "Ada", "n": 3]])
            let status = try await setup.stack.request("GET", setup.reads + "/get/\(id)?token=" + setup.token)
            #expect(status.json?["type"] == "CompletedJob" && status.json?["success"] == true)
            let job = try #require(try setup.stack.harness.store.job(id, on: setup.connection()))
            #expect(job.extra["trigger"] == "webhook ci")

            let sync = try await setup.post(setup.jobs + "/run_wait_result/p/f/trg/echo", #"{"name": "Bo"}"#, token: setup.token)
            #expect(sync.status == 200 && sync.json == ["hello": "Bo", "n": 1], "\(sync.status) \(sync.body)")
            let failed = try await setup.post(setup.jobs + "/run_wait_result/p/f/trg/echo", #"{"fail": true}"#, token: setup.token)
            #expect(failed.status == 422 && failed.body.contains("asked to fail"), "\(failed.status) \(failed.body)")

            let flow = try await setup.post(setup.jobs + "/run/f/f/trg/greet", #"{"who": "Cy"}"#, token: setup.token)
            #expect(flow.status == 201)
            let flowResult = try await poll(setup, setup.reads + "/completed/get_result/\(flow.body)")
            #expect(flowResult.json == "hi Cy")
            let flowSync = try await setup.post(setup.jobs + "/run_wait_result/f/f/trg/greet", #"{"who": "Di"}"#, token: setup.token)
            #expect(flowSync.status == 200 && flowSync.json == "hi Di")
            let invalid = try await setup.post(setup.jobs + "/run/f/f/trg/greet", #"{"nobody": 1}"#, token: setup.token)
            #expect(invalid.status == 400 && invalid.body.contains("who"), "\(invalid.status) \(invalid.body)")
            // GET with ?payload= (standard base64 of a JSON object), for senders that can only GET.
            let payload = Data(#"{"name": "Ed"}"#.utf8).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let viaGet = try await setup.stack.request("GET", setup.jobs + "/run_wait_result/p/f/trg/echo?payload=\(payload)&token=" + setup.token)
            #expect(viaGet.status == 200 && viaGet.json == ["hello": "Ed", "n": 1], "\(viaGet.body)")
        }
    }

    @Test("a sync run that outlives its wait answers 202 with where to read the result, and the run goes on to give it")
    func syncOutlivesWait() async throws {
        try await withSetup(configure: { $0.triggers.syncWait = .seconds(1) }) { setup in
            let answer = try await setup.post(setup.jobs + "/run_wait_result/p/f/trg/echo", #"{"name": "slow", "pause": 2.5}"#, token: setup.token)
            #expect(answer.status == 202, "\(answer.body)")
            let url = try #require(answer.json?["result_url"]?.stringValue)
            let early = try await setup.stack.request("GET", url + "?token=" + setup.token)
            #expect(early.status == 404, "not finished yet")
            let result = try await poll(setup, url)
            #expect(result.json == ["hello": "slow", "n": 1])
        }
    }

    @Test("a sync answer that takes longer than the idle timeout is not cut: no timer runs while the resumer answers a request it has read")
    func slowAnswerOutlivesIdleTimeout() async throws {
        try await withSetup(configure: {
            $0.idleTimeout = .seconds(1)
            $0.triggers.syncWait = .seconds(10)
        }) { setup in
            let answer = try await setup.post(setup.jobs + "/run_wait_result/p/f/trg/echo", #"{"name": "patient", "pause": 2.5}"#, token: setup.token)
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.json == ["hello": "patient", "n": 1])
        }
    }

    @Test("missing, malformed, wrong, revoked, expired, out-of-scope and wrong-kind tokens answer exactly as an unknown path does, and start nothing")
    func tokenCases() async throws {
        try await withSetup { setup in
            let connection = try setup.connection()
            let store = TokenStore(keys: setup.keys)
            let other = try store.create(
                name: "other", scopes: [try #require(TokenScope("run:f/elsewhere/*"))], expiresAt: nil, createdBy: "t", on: connection)
            let flowsOnly = try store.create(
                name: "flows", scopes: [try #require(TokenScope("jobs:run:flows"))], expiresAt: nil, createdBy: "t", on: connection)
            let revoked = try store.create(name: "gone", scopes: [try #require(TokenScope("run:*"))], expiresAt: nil, createdBy: "t", on: connection)
            #expect(try store.revoke(name: "gone", on: connection))
            let now = try connection.serverMilliseconds()
            let expiring = try store.create(
                name: "brief", scopes: [try #require(TokenScope("run:*"))], expiresAt: now + 300, createdBy: "t", on: connection)
            try await Task.sleep(for: .milliseconds(500))
            let parsed = try #require(TokenText(setup.token))
            let wrongSecret = "sltk_\(parsed.id)_" + String(repeating: "0", count: 48)
            let unknown = try await setup.post(setup.jobs + "/run/p/f/trg/nothing_here", "{}", token: setup.token)
            #expect(unknown.status == 404)
            let cases: [(String, String?)] = [
                ("missing", nil), ("malformed", "not-a-token"), ("wrong secret", wrongSecret), ("revoked", revoked.text), ("expired", expiring.text),
                ("out of scope", other.text), ("flows only", flowsOnly.text),
            ]
            for (name, token) in cases {
                let answer = try await setup.post(setup.jobs + "/run/p/f/trg/echo", #"{"name": "x"}"#, token: token)
                #expect(answer.status == unknown.status && answer.body == unknown.body, "\(name): \(answer.status) \(answer.body)")
                let read = try await setup.stack.request(
                    "GET", setup.jobs + "/run_wait_result/p/f/trg/echo?payload=e30=" + (token.map { "&token=" + $0 } ?? ""))
                #expect(read.status == unknown.status, "\(name) (GET)")
            }
            let queued = try connection.send(["LLEN", .string(setup.keys.queue("default"))]).integer
            #expect(queued == 0, "nothing was started")
            let jobs = try connection.send(["KEYS", .string(setup.keys.namespace + "job:*")]).array?.count ?? -1
            #expect(jobs == 0, "no job hash exists")
            // The same token works where its scope reaches.
            #expect(try await setup.post(setup.jobs + "/run/p/f/trg/echo", "{}", token: setup.token).status == 201)
        }
    }

    @Test("1,000 concurrent deliveries of 100 idempotency keys start exactly 100 runs, each key answered with its one run")
    func idempotency() async throws {
        try await withSetup { setup in
            let answers = try await withThrowingTaskGroup(of: (Int, String, Int).self) { group in
                for delivery in 0..<1000 {
                    let key = delivery % 100
                    group.addTask {
                        let answer = try await setup.post(
                            setup.jobs + "/run/p/f/trg/echo", #"{"name": "k\#(key)"}"#, token: setup.token, headers: ["Idempotency-Key": "key-\(key)"]
                        )
                        return (key, answer.body, answer.status)
                    }
                }
                var all: [(Int, String, Int)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            #expect(answers.allSatisfy { $0.2 == 201 }, "\(answers.filter { $0.2 != 201 }.prefix(3))")
            var byKey: [Int: Set<String>] = [:]
            for (key, id, _) in answers { byKey[key, default: []].insert(id) }
            #expect(byKey.count == 100 && byKey.values.allSatisfy { $0.count == 1 })
            let connection = try setup.connection()
            let jobs = try connection.send(["KEYS", .string(setup.keys.namespace + "job:*")]).array?.compactMap(\.string).filter {
                $0.split(separator: ":").count == 3
            }
            #expect(jobs?.count == 100, "exactly 100 job hashes")
        }
    }

    @Test("a flow started twice with one Idempotency-Key: the second delivery answers the first run's id (201), and one run exists")
    func flowIdempotency() async throws {
        try await withSetup { setup in
            let first = try await setup.post(
                setup.jobs + "/run/f/f/trg/greet", #"{"who": "Di"}"#, token: setup.token, headers: ["Idempotency-Key": "flow-1"])
            let again = try await setup.post(
                setup.jobs + "/run/f/f/trg/greet", #"{"who": "Di"}"#, token: setup.token, headers: ["Idempotency-Key": "flow-1"])
            #expect(first.status == 201)
            #expect(again.status == 201, "\(again.status) \(again.body)")
            #expect(again.body == first.body)
            let connection = try setup.connection()
            let flows = try connection.send(["KEYS", .string(setup.keys.namespace + "job:*")]).array?.compactMap(\.string).filter {
                $0.split(separator: ":").count == 3 && (try? connection.send(["HGET", .string($0), "kind"]).string) == "flow"
            }
            #expect(flows?.count == 1, "exactly one flow run: \(flows ?? [])")
        }
    }

    @Test(
        "a route with an HMAC signature: good runs; bad, missing, or a body altered by one byte get 401; a replayed delivery id answers the first run"
    )
    func signedRoute() async throws {
        try await withSetup { setup in
            let connection = try setup.connection()
            _ = try VariableStore(keys: setup.keys).set(
                VariableUpdate(path: "f/trg/hook_secret", value: .plain("s3cret"), access: AccessRule(prefixes: ["f/trg/"])), on: connection)
            var route = TriggerRoute(
                method: "POST", path: "hooks/github", target: "f/trg/echo",
                authentication: .signature(SignatureCheck(secretVariable: "f/trg/hook_secret", header: "X-Hub-Signature-256", style: .github)),
                idempotencyKey: "X-GitHub-Delivery", waitsForResult: true)
            route.queue = "default"
            try RouteStore(keys: setup.keys).set(route, on: connection)
            let url = setup.stack.baseURL + "/api/r/hooks/github"
            let body = #"{"name": "octo", "n": 2}"#
            let signature = SignatureVerifier.sign(Array(body.utf8), secret: "s3cret", style: .github, timestamp: 0)
            let good = try await setup.post(url, body, headers: ["X-Hub-Signature-256": signature, "X-GitHub-Delivery": "d-1"])
            #expect(good.status == 200 && good.json == ["hello": "octo", "n": 2], "\(good.status) \(good.body)")
            let replayed = try await setup.post(url, body, headers: ["X-Hub-Signature-256": signature, "X-GitHub-Delivery": "d-1"])
            #expect(replayed.status == 200 && replayed.json == good.json)
            let runs = try connection.send(["KEYS", .string(setup.keys.namespace + "job:*")]).array?.compactMap(\.string).filter {
                $0.split(separator: ":").count == 3
            }
            #expect(runs?.count == 1, "the replayed delivery started nothing")
            let bad = try await setup.post(url, body, headers: ["X-Hub-Signature-256": "sha256=" + String(repeating: "0", count: 64)])
            #expect(bad.status == 401)
            let missing = try await setup.post(url, body)
            #expect(missing.status == 401)
            var altered = Array(body.utf8)
            altered[12] ^= 1
            let tampered = try await setup.post(url, String(decoding: altered, as: UTF8.self), headers: ["X-Hub-Signature-256": signature])
            #expect(tampered.status == 401)
            let wrongKey = SignatureVerifier.sign(Array(body.utf8), secret: "guess", style: .github, timestamp: 0)
            #expect(try await setup.post(url, body, headers: ["X-Hub-Signature-256": wrongKey]).status == 401)
            // A token is no substitute for the signature on such a route.
            #expect(try await setup.post(url, body, token: setup.token).status == 401)
            let unknownRoute = try await setup.post(setup.stack.baseURL + "/api/r/hooks/nothing", body)
            #expect(unknownRoute.status == 404)
        }
    }

    @Test(
        "preprocessors shape a Telegram-like update: a script's preprocessor(event) gives main its arguments; a flow's preprocessor_module gives it its input"
    )
    func preprocessors() async throws {
        try await withSetup { setup in
            let connection = try setup.connection()
            let script = """
                def preprocessor(event):
                    message = event["body"]["message"]
                    return {"who": message["from"]["first_name"], "text": message["text"], "via": event["kind"]}

                def main(who: str, text: str, via: str):
                    return f"{via}: {who} says {text}"
                """
            _ = try ScriptStore(keys: setup.keys).push(
                path: try #require(ScriptPath("f/trg/bot")), language: .python3, content: script, on: connection)
            try setup.stack.harness.pushFlow(
                """
                value:
                  preprocessor_module:
                    id: preprocessor
                    value:
                      type: rawscript
                      language: python3
                      content: "def preprocessor(event):\\n    return {'who': event['body']['message']['from']['first_name'], 'chat': event['headers'].get('x-telegram-bot-api-secret-token', '')}\\n"
                  modules:
                    - id: reply
                      value:
                        type: rawscript
                        language: python3
                        content: "def main(who, chat):\\n    return {'reply': 'hello ' + who, 'chat': chat}\\n"
                        input_transforms:
                          who: {type: javascript, expr: flow_input.who}
                          chat: {type: javascript, expr: flow_input.chat}
                schema:
                  type: object
                  properties: {who: {type: string}, chat: {type: string}}
                  required: [who]
                """, path: "f/trg/bot_flow")
            let update = #"{"update_id": 9001, "message": {"message_id": 1, "from": {"id": 5, "first_name": "Ada"}, "text": "/start"}}"#
            let scripted = try await setup.post(setup.jobs + "/run_wait_result/p/f/trg/bot", update, token: setup.token)
            #expect(scripted.status == 200 && scripted.json == "webhook: Ada says /start", "\(scripted.body)")
            let flowed = try await setup.post(
                setup.jobs + "/run_wait_result/f/f/trg/bot_flow", update, token: setup.token, headers: ["X-Telegram-Bot-Api-Secret-Token": "c1"])
            #expect(flowed.status == 200 && flowed.json == ["reply": "hello Ada", "chat": "c1"], "\(flowed.body)")
            // The same in TypeScript: a script's preprocessor, and a flow's preprocessor module without a main.
            let tsScript = """
                export async function preprocessor(event: { body: { message: { from: { first_name: string } } }; query: Record<string, string> }) {
                  return { who: event.body.message.from.first_name, lang: event.query.lang ?? "en" };
                }
                export async function main(who: string, lang: string) {
                  return `${lang}: ${who}`;
                }
                """
            _ = try ScriptStore(keys: setup.keys).push(
                path: try #require(ScriptPath("f/trg/bot_ts")), language: .deno, content: tsScript, on: connection)
            let tsAnswer = try await setup.post(setup.jobs + "/run_wait_result/p/f/trg/bot_ts?lang=fr", update, token: setup.token)
            #expect(tsAnswer.status == 200 && tsAnswer.json == "fr: Ada", "\(tsAnswer.body)")
            try setup.stack.harness.pushFlow(
                """
                value:
                  preprocessor_module:
                    id: preprocessor
                    value:
                      type: rawscript
                      language: bun
                      content: "export async function preprocessor(event: any) {\\n  return { who: event.body.message.from.first_name };\\n}\\n"
                  modules:
                    - id: reply
                      value:
                        type: rawscript
                        language: bun
                        content: "export async function main(who: string) {\\n  return 'ts hello ' + who;\\n}\\n"
                        input_transforms:
                          who: {type: javascript, expr: flow_input.who}
                """, path: "f/trg/bot_ts_flow")
            let tsFlow = try await setup.post(setup.jobs + "/run_wait_result/f/f/trg/bot_ts_flow", update, token: setup.token)
            #expect(tsFlow.status == 200 && tsFlow.json == "ts hello Ada", "\(tsFlow.body)")
            // Started otherwise (sluice run), the flow skips its preprocessor: its input is given as is.
            let flows = FlowStore(keys: setup.keys)
            let stored = try #require(try flows.flow(at: "f/trg/bot_flow", on: connection))
            let document = try #require(try flows.document(hash: stored.hash, on: connection))
            let id = try setup.stack.harness.startFlow(document, input: ["who": "Bo", "chat": "direct"], path: "f/trg/bot_flow")
            let direct = try await setup.stack.harness.finished(id)
            #expect(direct.result == ["reply": "hello Bo", "chat": "direct"])
        }
    }

    @Test("rate limits: a token limited to 2 a second gets 429 with Retry-After past its burst, and starts nothing more")
    func rateLimits() async throws {
        try await withSetup { setup in
            let connection = try setup.connection()
            let limited = try TokenStore(keys: setup.keys).create(
                name: "slow", scopes: [try #require(TokenScope("run:f/trg/*"))], expiresAt: nil, rate: RateLimit(perSecond: 2, burst: 2),
                createdBy: "t",
                on: connection)
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<6 {
                let answer = try await setup.post(setup.jobs + "/run/p/f/trg/echo", "{}", token: limited.text)
                statuses.append(answer.status)
                if answer.status == 429 { retryAfter = answer.headers["retry-after"] }
            }
            #expect(statuses.filter { $0 == 201 }.count <= 3 && statuses.contains(429), "\(statuses)")
            #expect(retryAfter != nil)
            try await Task.sleep(for: .seconds(1.2))
            #expect(try await setup.post(setup.jobs + "/run/p/f/trg/echo", "{}", token: limited.text).status == 201, "the bucket refills")
        }
    }
}

import SluiceCore
import SluiceStore
import SluiceTriggers
import Testing

/// Windmill's rules for a webhook's body, options and event, and the pieces a trigger is checked
/// with — without Redis or HTTP.
@Suite("Trigger requests")
struct WebhookBodyTests {
    func request(_ body: String, type: String? = "application/json", query: [(String, String)] = [], headers: [(String, String)] = [])
        -> TriggerRequest
    {
        TriggerRequest(
            method: "POST", contentType: type, body: Array(body.utf8), query: query.map { (name: $0.0, value: $0.1) },
            headers: headers.map { (name: $0.0, value: $0.1) })
    }

    @Test("a JSON object's members are the arguments; anything not starting with { is the argument body; no type and no body: none")
    func arguments() throws {
        #expect(try WebhookBody.input(request(#"{"a": 1, "b": "x"}"#)).arguments == ["a": 1, "b": "x"])
        #expect(try WebhookBody.input(request("[1, 2]")).arguments == ["body": [1, 2]])
        #expect(try WebhookBody.input(request(#""hi""#)).arguments == ["body": "hi"])
        #expect(try WebhookBody.input(request(#" {"a": 1}"#)).arguments == ["body": ["a": 1]], "Windmill looks at the first character")
        #expect(try WebhookBody.input(request("", type: nil)).arguments == [:])
        #expect(try WebhookBody.input(request(#"{"a": 1}"#, type: nil)).arguments == ["a": 1])
        #expect(throws: WebhookInputError.self) { try WebhookBody.input(request("", type: "application/json")) }
        #expect(throws: WebhookInputError.self) { try WebhookBody.input(request("{oops")) }
    }

    @Test("text keeps its text as raw_string; forms give string arguments; other types are 415")
    func contentTypes() throws {
        #expect(try WebhookBody.input(request("hello", type: "text/plain; charset=utf-8")).arguments == ["raw_string": "hello"])
        #expect(try WebhookBody.input(request("a=1&b=x+y%21", type: "application/x-www-form-urlencoded")).arguments == ["a": "1", "b": "x y!"])
        #expect {
            try WebhookBody.input(request("x", type: "application/pdf"))
        } throws: { ($0 as? WebhookInputError)?.status == .unsupportedMediaType }
        let cloud = try WebhookBody.input(request(#"{"id": "e1", "type": "t", "data": {"x": 1}}"#, type: "application/cloudevents+json"))
        #expect(cloud.arguments == ["x": 1, "WEBHOOK__METADATA__": ["id": "e1", "type": "t"]])
    }

    @Test("raw, wrap_body, include_header and include_query add what Windmill adds")
    func options() throws {
        let input = try WebhookBody.input(
            request(
                #"{"a": 1}"#, query: [("raw", "true"), ("wrap_body", "true"), ("include_header", "X-Sign"), ("include_query", "tag"), ("tag", "v")],
                headers: [("X-Sign", "s")]))
        #expect(input.arguments == ["body": ["a": 1], "raw_string": #"{"a": 1}"#, "x_sign": "s", "tag": "v"])
    }

    @Test("the event has every header and query parameter, the body and its text — but not the Sluice token the sender presented")
    func event() throws {
        let token = "sltk_" + String(repeating: "a", count: 16) + "_" + String(repeating: "b", count: 48)
        let input = try WebhookBody.input(
            request(#"{"update_id": 7}"#, query: [("token", token), ("x", "1")], headers: [("Authorization", "Bearer " + token), ("X-Trace", "t")]))
        #expect(input.event["kind"] == "webhook")
        #expect(input.event["body"] == ["update_id": 7])
        #expect(input.event["raw_string"] == #"{"update_id": 7}"#)
        #expect(input.event["headers"]?["x-trace"] == "t")
        #expect(input.event["headers"]?["authorization"] == "Bearer [token]")
        #expect(input.event["query"] == ["x": "1"])
        #expect(!input.event.jsonText.contains(token))
    }

    @Test("route patterns: literals, :params, a last *rest; the most specific wins")
    func routes() throws {
        let pattern = try #require(RoutePattern("/users/:id/files/*rest"))
        #expect(pattern.description == "users/:id/files/*rest")
        let matched = try #require(pattern.match("users/42/files/a/b.txt"))
        #expect(matched.map(\.0) == ["id", "rest"])
        #expect(matched.map(\.1) == ["42", "a/b.txt"])
        #expect(pattern.match("users/42") == nil)
        #expect(RoutePattern("hooks/github")?.match("hooks/github/") != nil)
        #expect(RoutePattern("hooks/github")?.match("hooks/gitlab") == nil)
        #expect(RoutePattern("a/*rest/b") == nil)
        #expect(RoutePattern("a/:bad name") == nil)
        #expect(
            try #require(RoutePattern("users/me")).specificity.lexicographicallyPrecedes(try #require(RoutePattern("users/:id")).specificity) == false
        )
    }

    @Test("signatures: GitHub, Stripe and Slack styles verify; a changed byte, a missing header or an old timestamp do not")
    func signatures() throws {
        let body = Array(#"{"action": "opened"}"#.utf8)
        let now: Int64 = 1_800_000_000
        for style in SignatureCheck.Style.allCases {
            let check = SignatureCheck(secretVariable: "f/x/s", header: "X-Sig", style: style)
            let signature = SignatureVerifier.sign(body, secret: "s3cret", style: style, timestamp: now)
            var headers = [("X-Sig", signature)]
            if style == .slack { headers.append(("X-Slack-Request-Timestamp", String(now))) }
            let good = TriggerRequest(method: "POST", contentType: "application/json", body: body, headers: headers.map { (name: $0.0, value: $0.1) })
            #expect(throws: Never.self) { try SignatureVerifier.verify(good, check: check, secret: "s3cret", now: now + 10) }
            var altered = good
            altered.body[3] ^= 1
            #expect(throws: SignatureVerifier.Refusal.mismatch, "\(style)") {
                try SignatureVerifier.verify(altered, check: check, secret: "s3cret", now: now)
            }
            #expect(throws: SignatureVerifier.Refusal.self) { try SignatureVerifier.verify(good, check: check, secret: "other", now: now) }
            if style == .stripe || style == .slack {
                #expect(throws: SignatureVerifier.Refusal.stale) {
                    try SignatureVerifier.verify(good, check: check, secret: "s3cret", now: now + 301)
                }
            }
            let unsigned = TriggerRequest(method: "POST", contentType: "application/json", body: body)
            #expect(throws: SignatureVerifier.Refusal.missing("X-Sig")) {
                try SignatureVerifier.verify(unsigned, check: check, secret: "s3cret", now: now)
            }
        }
    }

    @Test("token scopes: Sluice's run:PATH* and Windmill's jobs:run[:scripts|flows[:PATHS]]")
    func scopes() throws {
        let prefix = try #require(TokenScope("run:f/ops/*"))
        #expect(prefix.allowsRun("f/ops/deploy", isFlow: false) && prefix.allowsRun("f/ops/x/y", isFlow: true))
        #expect(!prefix.allowsRun("f/opsx", isFlow: false))
        #expect(!prefix.allowsRun("f/other/x", isFlow: false))
        #expect(try #require(TokenScope("run:f/a/b")).allowsRun("f/a/b", isFlow: false))
        #expect(!(try #require(TokenScope("run:f/a/b")).allowsRun("f/a/bc", isFlow: false)))
        let scripts = try #require(TokenScope("jobs:run:scripts:f/a/*,f/b/x"))
        #expect(scripts.allowsRun("f/a/z", isFlow: false) && scripts.allowsRun("f/b/x", isFlow: false))
        #expect(!scripts.allowsRun("f/a/z", isFlow: true), "a scripts scope does not run flows")
        #expect(try #require(TokenScope("jobs:run")).allowsRun("anything/at/all", isFlow: true))
        for bad in ["run:", "run:f/*/x", "jobs:run:things", "admin", "run:f/a b"] { #expect(TokenScope(bad) == nil, "\(bad)") }
    }

    @Test("a token's text: sltk_<16 hex>_<48 hex>; anything else is not one")
    func tokenText() throws {
        let token = TokenText.generate()
        #expect(TokenText(token.text) == token)
        for bad in ["", "sltk_", "Bearer x", token.text + "0", "sltk_" + String(repeating: "z", count: 16) + "_" + String(repeating: "0", count: 48)]
        {
            #expect(TokenText(bad) == nil, "\(bad)")
        }
    }
}

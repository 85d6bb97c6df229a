import Foundation
import HTTPTypes
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// The resumer's hardening: each test here failed before its fix (docs/security.md, "The resumer").
@Suite("Resumer hardening against a seeded gate", .serialized, .tags(.processes))
struct ResumerHardeningTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let refundForm: JSONValue = [
        "type": "object",
        "properties": [
            "channel": ["type": "string"], "reason": ["type": "string"], "amount": ["type": "number"],
            "kind": ["type": "string", "enum": ["full", "partial"]],
        ],
        "required": ["channel", "reason"],
    ]
    static let refundPage: JSONValue = ["enums": ["channel": ["card", "bank transfer"]]]

    // MARK: Deadlines on Redis's clock

    @Test("an approval after the deadline is refused with 410 timed_out, and the gate times out then (no scheduler running)")
    func lateApproval() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(deadlineFromNow: -4200))
        try await harness.run { client async throws in
            let page = try await client.get(gate.links("alice").approvalPage)
            #expect(page.status == 410, "the page of a gate past its deadline offers nothing")
            let late = try await client.post(gate.links("alice").resume, "{}")
            #expect(late.status == 410)
            #expect(late.json?["state"] == "timed_out")
            let rejection = try await client.post(gate.links("bob").cancel, "{}")
            #expect(rejection.status == 410)
            #expect(rejection.json?["state"] == "timed_out")
        }
        let connection = try server.connect()
        let stored = try #require(try gate.record(on: connection))
        #expect(stored.state == .timedOut)
        #expect(stored.approvals.isEmpty && stored.rejections.isEmpty)
        #expect(try gate.flowEvents(on: connection) == 1, "timed out once, one flow event")
        #expect(try connection.send("ZSCORE", .string(harness.keys.gateDeadlines), .string(gate.id.rawValue)).isNull)
    }

    @Test("GET on a gate past its deadline changes nothing (link-preview bots)")
    func latePageChangesNothing() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(deadlineFromNow: -100))
        try await harness.run { client async throws in
            let summary = try await client.get(gate.links("alice").approvalPage, accept: "application/json")
            #expect(summary.json?["state"] == "timed_out")
            #expect(try await client.get(gate.links("alice").cancel).status == 410)
        }
        #expect(try gate.record(on: server.connect())?.state == .open)
    }

    @Test("sluice resume on a gate past its deadline says it timed out and records nothing")
    func lateOperator() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(deadlineFromNow: -4200))
        let env = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": harness.keys.prefix]
        let late = try await runCommand("sluice", ["resume", gate.flow.rawValue, "--approver", "alice"], environment: env)
        #expect(late.status != 0)
        #expect(late.stderr.contains("timed out"), "\(late.stderr)")
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.state == .timedOut)
        #expect(stored.approvals.isEmpty)
    }

    @Test("approval history is on Redis's clock: each entry is stamped by the script that records it")
    func historyOnRedisClock() async throws {
        let harness = RouteHarness(server: server)
        let approved = try harness.seed(.init(required: 2))
        let rejected = try harness.seed()
        let before = try server.connect().serverMilliseconds()
        try await harness.run { client async throws in
            #expect(try await client.post(approved.links("alice").resume, "{}").status == 202)
            #expect(try await client.post(approved.links("bob").resume, "{}").status == 200)
            #expect(try await client.post(rejected.links("carol").cancel, "{}").status == 200)
        }
        let after = try server.connect().serverMilliseconds()
        let gate = try #require(try approved.record(on: server.connect()))
        #expect(gate.approvals.allSatisfy { (before...after).contains($0.at) })
        #expect(gate.approvals.last?.at == gate.closedAt, "the deciding approval and the closing share the script's clock")
        let other = try #require(try rejected.record(on: server.connect()))
        #expect(other.rejections.first?.at == other.closedAt)
    }

    @Test("sluice resume goes through the same decision as the links; only hide_cancel binds links alone")
    func operatorSharesTheDecision() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 3, form: Self.refundForm, page: Self.refundPage, hideCancel: true))
        let env = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": harness.keys.prefix]
        func resume(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await runCommand("sluice", ["resume", gate.id.rawValue] + arguments, environment: env)
        }
        let wire = try await resume(["--approver", "alice", "--payload", #"{"channel": "wire to IBAN DE00", "reason": "x"}"#])
        #expect(wire.status != 0)
        #expect(wire.stderr.contains("payload.channel"), "\(wire.stderr)")
        let empty = try await resume(["--approver", "alice", "--payload", #"{"channel": "card", "reason": " "}"#])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("payload.reason"), "\(empty.stderr)")
        let approved = try await resume(["--approver", "alice", "--payload", #"{"channel": "card", "reason": "ok"}"#])
        #expect(approved.stdout.contains("1 of 3"), "\(approved.stderr)")
        let changed = try await resume(["--approver", "alice", "--reject"])
        #expect(changed.status != 0)
        #expect(changed.stderr.contains("already approved this gate with another answer"), "\(changed.stdout) \(changed.stderr)")
        let rejected = try await resume(["--approver", "bob", "--reject", "--reason", "not this week"])
        #expect(rejected.status == 0, "operators may reject a hide_cancel gate: \(rejected.stderr)")
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.state == .rejected)
        #expect(stored.approvals.map(\.payload) == [["channel": "card", "reason": "ok"]])
        #expect(stored.rejections.map(\.via) == ["operator"])
    }

    // MARK: Content types

    @Test(
        "content types are parsed exactly: type/subtype case-insensitively, parameters after ';'",
        arguments: [
            ("application/jsonX", false), ("application/json-patch+json", false), ("application/json; charset=utf-8", true),
            ("APPLICATION/JSON", true), ("application/json ; charset=UTF-8", true), ("text/json", false), ("application/", false),
        ])
    func jsonMediaTypes(contentType: String, accepted: Bool) async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 5))
        try await harness.run { client async throws in
            let answer = try await client.post(gate.links("alice").resume, "{}", contentType: contentType)
            #expect(answer.status == (accepted ? 202 : 415), "\(contentType): \(answer.body)")
        }
        #expect(try gate.record(on: server.connect())?.approvals.count == (accepted ? 1 : 0))
    }

    @Test(
        "a form is only application/x-www-form-urlencoded",
        arguments: [
            ("application/x-www-form-urlencodedx; charset=utf-8", false), ("application/x-www-form-urlencoded", true),
            ("Application/X-WWW-Form-Urlencoded;charset=UTF-8", true), ("application/x-www-form-urlencoded-evil", false),
        ])
    func formMediaTypes(contentType: String, accepted: Bool) async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 5))
        try await harness.run { client async throws in
            let answer = try await client.post(gate.links("alice").resume, "note=x", contentType: contentType)
            #expect(answer.status == (accepted ? 202 : 415), "\(contentType): \(answer.body)")
        }
        #expect(try gate.record(on: server.connect())?.approvals.count == (accepted ? 1 : 0))
    }

    // MARK: Form values

    @Test("a choice outside the step's dynamic enums is refused, as a form or as JSON")
    func dynamicEnums() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 3, form: Self.refundForm, page: Self.refundPage))
        try await harness.run { client async throws in
            let form = try await client.form(gate.links("alice").resume, "channel=wire+to+IBAN+DE00&reason=urgent")
            #expect(form.status == 422)
            #expect(form.body.contains("payload.channel"))
            let json = try await client.post(gate.links("bob").resume, #"{"channel": "wire to IBAN DE00", "reason": "urgent"}"#)
            #expect(json.status == 422)
            #expect(json.json?["field"] == "payload.channel")
            #expect(try await client.form(gate.links("carol").resume, "channel=bank+transfer&reason=ok").status == 202)
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.approvals.map(\.payload) == [["channel": "bank transfer", "reason": "ok"]])
    }

    @Test("values the form does not offer are refused — beside its fields or nested in them — unless the form allows more")
    func unofferedValues() async throws {
        let harness = RouteHarness(server: server)
        let nested: JSONValue = [
            "type": "object",
            "properties": [
                "channel": ["type": "string"], "reason": ["type": "string"],
                "details": ["type": "object", "properties": ["ticket": ["type": "string"]]],
            ],
            "required": ["channel", "reason"],
        ]
        let gate = try harness.seed(.init(required: 3, form: nested))
        let open = try harness.seed(.init(required: 3, form: nested.setting("additionalProperties", to: true)))
        try await harness.run { client async throws in
            let beside = try await client.post(gate.links("alice").resume, #"{"channel": "card", "reason": "x", "amount": 1000000}"#)
            #expect(beside.status == 422)
            #expect(beside.json?["field"] == "payload.amount")
            let inside = try await client.post(
                gate.links("alice").resume, #"{"channel": "card", "reason": "x", "details": {"ticket": "T-1", "extra": {"admin": true}}}"#)
            #expect(inside.status == 422)
            #expect(inside.json?["field"] == "payload.details.extra")
            // A form post drops fields the form does not have, as a browser's form would never send them.
            #expect(try await client.form(gate.links("alice").resume, "channel=card&reason=x&amount=1000000").status == 202)
            #expect(try await client.post(open.links("alice").resume, #"{"channel": "card", "reason": "x", "amount": 5}"#).status == 202)
        }
        #expect(try gate.record(on: server.connect())?.approvals.map(\.payload) == [["channel": "card", "reason": "x"]])
        #expect(try open.record(on: server.connect())?.approvals.first?.payload["amount"] == 5)
    }

    @Test("a payload nested deeper than 128 levels is refused with 400, well before the 512 levels Sluice wraps it in")
    func deepPayload() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 3))
        try await harness.run { client async throws in
            let deep = #"{"a": "# + String(repeating: "[", count: 509) + String(repeating: "]", count: 509) + "}"
            let answer = try await client.post(gate.links("alice").resume, deep)
            #expect(answer.status == 400)
            #expect(answer.json?["message"]?.stringValue?.contains("nesting deeper than 128") == true, "\(answer.body)")
            let fine = #"{"a": "# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
            #expect(try await client.post(gate.links("bob").resume, fine).status == 202)
        }
        #expect(try gate.record(on: server.connect())?.approvals.map(\.approver) == ["bob"])
    }

    @Test("a body that is not UTF-8, or a form escape that does not decode to UTF-8, is refused with 400 and records nothing")
    func invalidUTF8() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 3, form: Self.refundForm, page: Self.refundPage))
        try await harness.run { client async throws in
            let json = try await client.post(
                gate.links("alice").resume, bytes: Array(#"{"channel": "card", "reason": "ok "#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8),
                contentType: "application/json")
            #expect(json.status == 400)
            #expect(json.body.contains("not valid UTF-8"))
            let form = try await client.form(gate.links("alice").resume, "channel=card&reason=ok%FF%FE")
            #expect(form.status == 400)
            let malformed = try await client.form(gate.links("alice").resume, "channel=card&reason=ok%G1")
            #expect(malformed.status == 400)
        }
        #expect(try gate.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("a choice outside the schema's enum is refused")
    func staticEnums() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 3, form: Self.refundForm, page: Self.refundPage))
        try await harness.run { client async throws in
            let form = try await client.form(gate.links("alice").resume, "channel=card&reason=x&kind=half")
            #expect(form.status == 422)
            #expect(form.body.contains("payload.kind"))
            #expect(try await client.post(gate.links("bob").resume, #"{"channel": "card", "reason": "x", "kind": "half"}"#).status == 422)
        }
        #expect(try gate.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("a required string may not be empty", arguments: ["reason=", "reason=+++", "reason=%09"])
    func emptyRequiredString(field: String) async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(form: Self.refundForm, page: Self.refundPage))
        try await harness.run { client async throws in
            let form = try await client.form(gate.links("alice").resume, "channel=card&" + field)
            #expect(form.status == 422)
            #expect(form.body.contains("payload.reason"))
            let json = try await client.post(gate.links("alice").resume, #"{"channel": "card", "reason": ""}"#)
            #expect(json.status == 422)
            #expect(json.json?["field"] == "payload.reason")
        }
        #expect(try gate.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("form numbers are JSON numbers", arguments: ["0x1p4", "0x10", "inf", "nan", "1e999", "+16", ".5", "16.", "1_000", "16 apples"])
    func formNumbers(text: String) async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(form: Self.refundForm, page: Self.refundPage))
        let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        try await harness.run { client async throws in
            let answer = try await client.form(gate.links("alice").resume, "channel=card&reason=x&amount=\(encoded)")
            #expect(answer.status == 422, "\(text)")
            #expect(answer.body.contains("payload.amount"))
        }
        #expect(try gate.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("a form number is taken as the JSON number it spells")
    func formNumberAccepted() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(form: Self.refundForm, page: Self.refundPage))
        try await harness.run { client async throws in
            #expect(try await client.form(gate.links("alice").resume, "channel=card&reason=x&amount=-1.25e1").status == 200)
        }
        #expect(try gate.record(on: server.connect())?.approvals.first?.payload["amount"] == -12.5)
    }

    // MARK: One decision per identity

    @Test(
        "one link records one decision: repeated rejections on a pending gate are answered as already recorded; another answer is refused with 409"
    )
    func oneRejectionPerLink() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(state: .pending))
        let bob = gate.links("bob")
        let anonymous = gate.links(nil)
        try await harness.run { client async throws in
            let first = try await client.post(bob.cancel, #"{"reason": "no"}"#)
            #expect(first.status == 202)
            for round in 0..<20 {
                let again = try await client.post(bob.cancel, #"{"reason": "no"}"#)
                #expect(again.status == 200)
                #expect(again.json?["status"] == "already_counted")
                let changed = try await client.post(bob.cancel, #"{"reason": "no \#(round)"}"#)
                #expect(changed.status == 409)
            }
            #expect(try await client.post(anonymous.cancel, "{}").status == 202)
            #expect(try await client.post(anonymous.cancel, "{}").json?["status"] == "already_counted")
            #expect(try await client.post(bob.resume, "{}").status == 409, "bob rejected; he cannot approve too")
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.rejections.map(\.approver) == ["bob", "anonymous"])
        #expect(stored.rejections.first?.reason == "no")
        #expect(stored.approvals.isEmpty)
    }

    @Test("an approver who approved cannot also reject: 409, the approval stands")
    func approvedThenRejected() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 2))
        try await harness.run { client async throws in
            #expect(try await client.post(gate.links("alice").resume, "{}").status == 202)
            let change = try await client.post(gate.links("alice").cancel, "{}")
            #expect(change.status == 409)
            #expect(change.json?["error"] == "Already decided")
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.state == .open)
        #expect(stored.rejections.isEmpty)
    }

    // MARK: hide_cancel

    @Test("with hide_cancel the links offer no rejection and refuse one (403, nothing changed)")
    func hideCancel() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(hideCancel: true))
        let alice = gate.links("alice")
        try await harness.run { client async throws in
            let page = try await client.get(alice.approvalPage)
            #expect(page.status == 200)
            #expect(!page.body.contains("/cancel\""))
            let confirm = try await client.get(alice.cancel)
            #expect(confirm.status == 403)
            #expect(!confirm.body.contains("<form"))
            #expect(try await client.post(alice.cancel, #"{"reason": "no"}"#).status == 403)
            #expect(try await client.form(alice.cancel, "reason=no").status == 403)
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.state == .open)
        #expect(stored.rejections.isEmpty)
    }

    // MARK: Names in links

    @Test(
        "only the canonical encoding of an approver's name is a link", arguments: ["u.YWxpY2V", "u.YWxpY2W", "u.YWxpY2X", "u.YWxpY2U=", "u.YWxpY2U "])
    func canonicalNames(segment: String) async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed()
        let alice = gate.links("alice")
        #expect(alice.resume.contains("/u.YWxpY2U/"))
        let variant = alice.resume.replacingOccurrences(of: "/u.YWxpY2U/", with: "/\(segment)/")
        try await harness.run { client async throws in
            #expect(try await client.post(variant, "{}").status == 404)
            #expect(try await client.get(variant).status == 404)
        }
        #expect(try gate.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("an anonymous link's nonce has one spelling: 32 lowercase hex digits")
    func canonicalNonces() {
        let nonce = String(repeating: "ab", count: 16)
        #expect(ResumeLinkSubject(pathSegment: "a." + nonce) == .anonymous(nonce: nonce))
        #expect(ResumeLinkSubject(pathSegment: "a." + nonce.uppercased()) == nil)
        #expect(ResumeLinkSubject(pathSegment: "a." + String(repeating: "Ａ", count: 32)) == nil)
        #expect(ResumeLinkSubject(pathSegment: "a." + nonce + "0") == nil)
    }

    // MARK: Headers

    @Test("every answer carries the security headers, unmatched paths and methods included")
    func securityHeadersEverywhere() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed()
        try await harness.run { client async throws in
            let answers = [
                try await client.get("/nope"), try await client.send(.put, gate.links("alice").resume, body: "{}"),
                try await client.send(.delete, gate.links("alice").approvalPage), try await client.post("/healthz", "{}"),
                try await client.get("/healthz", accept: nil), try await client.get(gate.links("alice").approvalPage),
                try await client.get("/approvals/x/y/z"),
            ]
            for answer in answers {
                #expect(answer.headers[.init("Content-Security-Policy")!]?.contains("default-src 'none'") == true, "\(answer.status)")
                #expect(answer.headers[.init("Referrer-Policy")!] == "no-referrer")
                #expect(answer.headers[.init("X-Frame-Options")!] == "DENY")
                #expect(answer.headers[.init("Cache-Control")!] == "no-store")
            }
            #expect(answers[0].status == 404)
            #expect(answers[1].status == 404 || answers[1].status == 405)
        }
    }

    // MARK: What a request reads

    @Test("a forged token on an existing gate costs the same Redis work as a missing gate: the token is checked before anything else is read")
    func forgedTokenWork() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed()
        let alice = gate.links("alice")
        let token = String(alice.approvalPage.split(separator: "/").last ?? "")
        let forged = alice.approvalPage.replacingOccurrences(of: token, with: String(repeating: "ab", count: 32))
        let missing = alice.approvalPage.replacingOccurrences(of: gate.id.rawValue, with: JobID.generate().rawValue)
        let server = server
        try await harness.run { client async throws in
            let connection = try server.connect()
            _ = try await client.get("/healthz", accept: nil)
            // Loads the scripts once (a first call answers NOSCRIPT and loads them).
            _ = try await client.post(forged + "/resume", "{}")
            for suffix in ["", "/resume"] {
                var work: [[String: Int]] = []
                for url in [forged + suffix, missing + suffix] {
                    let before = try commandCounts(connection)
                    let answer = suffix.isEmpty ? try await client.get(url) : try await client.post(url, "{}")
                    #expect(answer.status == 404)
                    work.append(commandsRun(from: before, to: try commandCounts(connection)))
                }
                #expect(work[0] == work[1], "forged on an existing gate: \(work[0]); missing gate: \(work[1])")
            }
        }
    }

    @Test("a link under a prefix this resumer does not serve answers exactly as a forged link under one it serves")
    func unknownPrefix() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed()
        let alice = gate.links("alice").approvalPage
        let token = String(alice.split(separator: "/").last ?? "")
        let forged = alice.replacingOccurrences(of: token, with: String(repeating: "ab", count: 32))
        let path = String(forged.dropFirst(SeededGate.publicURL.count))
        let known = "/p/\(harness.keys.name)" + path
        let unknown = "/p/nosuchprefix" + path
        try await harness.run { client async throws in
            for suffix in ["", "/resume", "/cancel"] {
                for accept in ["text/html", "application/json"] {
                    let a = try await client.get(known + suffix, accept: accept)
                    let b = try await client.get(unknown + suffix, accept: accept)
                    #expect(a.status == 404 && b.status == 404, "\(suffix) \(accept): \(a.status) \(b.status)")
                    #expect(a.body == b.body, "\(suffix) \(accept)")
                }
            }
            let a = try await client.post(known + "/resume", "{}")
            let b = try await client.post(unknown + "/resume", "{}")
            #expect(a.status == 404 && b.status == 404)
            #expect(a.body == b.body)
        }
    }

    @Test("a form POST reads its gate's secret, then its gate once, never its flow, then runs the one script that records it")
    func postReadsOnce() async throws {
        let harness = RouteHarness(server: server)
        let warmUp = try harness.seed()
        let gate = try harness.seed(.init(required: 2, form: Self.refundForm, page: Self.refundPage))
        let server = server
        try await harness.run { client async throws in
            let connection = try server.connect()
            #expect(try await client.post(warmUp.links("alice").resume, "{}").status == 200)
            let before = try commandCounts(connection)
            #expect(try await client.form(gate.links("alice").resume, "channel=card&reason=ok").status == 202)
            let work = commandsRun(from: before, to: try commandCounts(connection))
            // (commandstats also counts what the script runs inside Redis: HMGET, LLEN, HSETNX, RPUSH, TIME.)
            #expect(work["hgetall"] == 1, "one read of the gate's hash and none of the flow's: \(work)")
            #expect(work["evalsha"] == 2, "read_gate_secret and record_approval: \(work)")
            #expect(work["lrange"] == nil, "no history read: \(work)")
        }
    }

    // MARK: Metrics

    @Test("every refusal is counted by its reason, 422s raised while acting included")
    func refusalsCounted() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 3, form: Self.refundForm, page: Self.refundPage, createdBy: "carol"))
        try await harness.run { client async throws in
            #expect(try await client.post(gate.links("alice").resume, #"{"channel": "card"}"#).status == 422)
            #expect(try await client.post(gate.links("alice").resume, #"{"channel": "wire", "reason": "x"}"#).status == 422)
            #expect(try await client.form(gate.links("alice").resume, "channel=card&reason=").status == 422)
            #expect(try await client.post(gate.links("alice").resume, "{x").status == 400)
            #expect(try await client.post(gate.links("alice").resume, "x", contentType: "text/plain").status == 415)
            #expect(try await client.post(SeededGate.publicURL + "/approvals/x/y/z/resume", "{}").status == 404)
            // Metrics are not served beside the links.
            #expect(try await client.get("/metrics", accept: nil).status == 404)
        }
        let metrics = try await harness.metrics()
        #expect(metrics.contains(#"sluice_approval_requests_total{outcome="invalid"} 3"#), "\(metrics)")
        #expect(metrics.contains(#"sluice_approval_requests_total{outcome="malformed"} 1"#))
        #expect(metrics.contains(#"sluice_approval_requests_total{outcome="unsupported_media_type"} 1"#))
        #expect(metrics.contains(#"sluice_approval_requests_total{outcome="not_found"} 1"#))
    }
}

import Foundation
import SluiceCore
import SluiceStore
import SluiceTesting
import Testing

/// The resumer's routes, in-process against a seeded gate in a real redis-server: what each link
/// answers, and that refusals change nothing.
@Suite("Resumer routes against a seeded gate", .serialized)
struct ResumerRouteTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let form: JSONValue = [
        "type": "object", "properties": ["reason": ["type": "string"], "count": ["type": "integer", "default": 1]], "required": ["reason"],
    ]

    @Test("GET on the page, resume and cancel links shows a page and changes nothing")
    func getShowsPages() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(form: Self.form, page: ["description": "Ship **it**?"]))
        let alice = gate.links("alice")
        try await harness.run { client async throws in
            for url in [alice.approvalPage, alice.resume, alice.cancel] {
                let page = try await client.get(url)
                #expect(page.status == 200)
                #expect(page.body.contains("<form method=\"post\""))
            }
            let page = try await client.get(alice.approvalPage)
            #expect(page.body.contains("Ship <strong>it</strong>?"))
            #expect(page.body.contains("Approve as alice"))
            #expect(page.body.contains("A-17"), "the flow's inputs are shown")
            let summary = try await client.get(alice.approvalPage, accept: "application/json")
            #expect(summary.json?["state"] == "open")
            #expect(summary.json?["required"] == 1)
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.state == .open)
        #expect(stored.approvals.isEmpty && stored.rejections.isEmpty)
    }

    @Test("a gate inside a loop says which iteration it belongs to")
    func iterationShown() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(form: Self.form, frame: "r.0.7", iteration: 7))
        try await harness.run { client async throws in
            let page = try await client.get(gate.links("alice").approvalPage)
            #expect(page.body.contains("Step <strong>ask, iteration 7</strong>"), "\(page.body)")
        }
    }

    @Test("an approval that meets the quorum closes the gate and queues one flow event")
    func approvalDecides() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 2, form: Self.form))
        try await harness.run { client async throws in
            let first = try await client.post(gate.links("alice").resume, #"{"reason": "looks good"}"#)
            #expect(first.status == 202)
            #expect(first.json?["status"] == "counted")
            #expect(first.json?["approvals"] == 1)
            let second = try await client.form(gate.links("bob").resume, "reason=ok&count=3")
            #expect(second.status == 200)
            #expect(second.body.contains("Approved"))
        }
        let connection = try server.connect()
        let stored = try #require(try gate.record(on: connection))
        #expect(stored.state == .approved)
        #expect(stored.approvals.map(\.payload) == [["reason": "looks good", "count": 1], ["reason": "ok", "count": 3]])
        #expect(stored.approvals.map(\.via) == ["link", "link"])
        #expect(try gate.flowEvents(on: connection) == 1)
    }

    @Test("a rejection closes an open gate with its reason")
    func rejectionDecides() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 2))
        try await harness.run { client async throws in
            let answer = try await client.post(gate.links("bob").cancel, #"{"reason": "too risky"}"#)
            #expect(answer.status == 200)
            #expect(answer.json?["status"] == "rejected")
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.state == .rejected)
        #expect(stored.decidedBy == "bob")
        #expect(stored.rejections.first?.reason == "too risky")
    }

    @Test("forged, edited, malformed and unknown links answer 404 and change nothing")
    func forgedLinks() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed()
        let alice = gate.links("alice")
        let token = String(alice.approvalPage.split(separator: "/").last ?? "")
        try await harness.run { client async throws in
            let forged = alice.resume.replacingOccurrences(of: token, with: String(repeating: "ab", count: 32))
            #expect(try await client.post(forged, "{}").status == 404)
            let edited = alice.resume.replacingOccurrences(
                of: "u." + Base64URL.encode(Array("alice".utf8)), with: "u." + Base64URL.encode(Array("mallory".utf8)))
            #expect(edited != alice.resume)
            #expect(try await client.post(edited, "{}").status == 404)
            #expect(try await client.get(edited).status == 404)
            let unknown = alice.resume.replacingOccurrences(of: gate.id.rawValue, with: JobID.generate().rawValue)
            #expect(try await client.post(unknown, "{}").status == 404)
            #expect(try await client.post("/approvals/x/y/z/resume", "{}").status == 404)
            #expect(try await client.get(alice.approvalPage.replacingOccurrences(of: token, with: token.uppercased())).status == 404)
        }
        #expect(try gate.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("after the gate closes, the links of those who did not decide answer 410 with the state; the decider's retry 200")
    func closedGate() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed()
        let alice = gate.links("alice")
        let bob = gate.links("bob")
        try await harness.run { client async throws in
            #expect(try await client.post(alice.resume, "{}").status == 200)
            let late = try await client.post(bob.resume, "{}")
            #expect(late.status == 410)
            #expect(late.json?["state"] == "approved")
            #expect(try await client.get(bob.approvalPage).status == 410)
            #expect(try await client.post(bob.cancel, "{}").status == 410)
            // alice's own retry (her first answer lost) learns that it counted (ApprovalRetryTests).
            #expect(try await client.post(alice.resume, "{}").status == 200)
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.approvals.count == 1)
        #expect(stored.rejections.isEmpty)
    }

    @Test("bad bodies get precise answers — 400, 413, 415, 422 naming the field — and change nothing")
    func badBodies() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(form: Self.form))
        let url = gate.links("alice").resume
        try await harness.run { client async throws in
            let missing = try await client.post(url, "{}")
            #expect(missing.status == 422)
            #expect(missing.json?["field"] == "payload.reason")
            let wrongType = try await client.post(url, #"{"reason": "x", "count": "many"}"#)
            #expect(wrongType.status == 422)
            #expect(wrongType.json?["message"] == "payload.count: expected integer, got string")
            let formWrongType = try await client.form(url, "reason=x&count=many")
            #expect(formWrongType.status == 422)
            #expect(formWrongType.body.contains("payload.count"))
            #expect(try await client.post(url, "[1, 2]").status == 422)
            #expect(try await client.post(url, "{not json").status == 400)
            #expect(try await client.post(url, "<xml/>", contentType: "application/xml").status == 415)
            let huge = #"{"reason": ""# + String(repeating: "x", count: 20_000) + #""}"#
            #expect(try await client.post(url, huge).status == 413)
        }
        #expect(try gate.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("the gate's rules refuse identities with 403: the starter under self_approval_disabled, anonymous links, non-members")
    func identityRules() async throws {
        let harness = RouteHarness(server: server)
        let selfApproval = try harness.seed(.init(selfApprovalDisabled: true, createdBy: "carol"))
        try GroupStore(keys: harness.keys).set("ops", members: ["alice"], on: server.connect())
        let grouped = try harness.seed(.init(groups: ["ops"]))
        try await harness.run { client async throws in
            let own = try await client.post(selfApproval.links("carol").resume, "{}")
            #expect(own.status == 403)
            #expect(own.json?["message"]?.stringValue?.contains("carol started this flow") == true)
            #expect(try await client.post(selfApproval.links(nil).resume, "{}").status == 403)
            let outsider = try await client.post(grouped.links("bob").resume, "{}")
            #expect(outsider.status == 403)
            #expect(outsider.json?["message"] == "bob is not a member of ops")
            #expect(try await client.post(grouped.links("alice").resume, "{}").status == 200)
        }
        #expect(try selfApproval.record(on: server.connect())?.approvals.isEmpty == true)
    }

    @Test("approvals on a pending gate are kept (202, pending) and do not close it")
    func pendingGate() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(state: .pending))
        try await harness.run { client async throws in
            let answer = try await client.post(gate.links("alice").resume, "{}")
            #expect(answer.status == 202)
            #expect(answer.json?["pending"] == true)
        }
        let stored = try #require(try gate.record(on: server.connect()))
        #expect(stored.state == .pending)
        #expect(stored.approvals.count == 1)
    }

    @Test("/healthz answers 200 while Redis answers and 503 when it does not")
    func health() async throws {
        let harness = RouteHarness(server: server)
        try await harness.run { client async throws in
            let up = try await client.get("/healthz", accept: nil)
            #expect(up.status == 200)
            #expect(up.json?["redis"] == "up")
            server.stop()
            let down = try await client.get("/healthz", accept: nil)
            #expect(down.status == 503)
            let page = try await client.get(SeededGate.publicURL + "/approvals/\(JobID.generate())/u.YWxpY2U/" + String(repeating: "0", count: 64))
            #expect(page.status == 503)
            #expect(page.body.contains("nothing was changed"))
        }
    }
}

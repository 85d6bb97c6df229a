import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// Retrying a POST whose answer was lost (the resumer killed after applying it): the approver
/// learns that its decision counted — 200 `already_counted` with the gate's state — instead of a
/// 410 it cannot tell from "too late". Before the fix, each retry below answered 410.
@Suite("Approval retries after the gate closed", .serialized)
struct ApprovalRetryTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("a retried approval that decided the gate answers 200 already counted (JSON and page); others still get 410; nothing changes")
    func retryOfDecidingApproval() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 1))
        try await harness.run { client async throws in
            let first = try await client.post(gate.links("alice").resume, "{}")
            #expect(first.status == 200)
            #expect(first.json?["status"] == "approved")
            let retry = try await client.post(gate.links("alice").resume, "{}")
            #expect(retry.status == 200)
            #expect(retry.json?["status"] == "already_counted")
            #expect(retry.json?["state"] == "approved")
            #expect(retry.json?["decision"] == "approve")
            let page = try await client.form(gate.links("alice").resume, "")
            #expect(page.status == 200)
            #expect(page.body.contains("Already counted"))
            let other = try await client.post(gate.links("bob").resume, "{}")
            #expect(other.status == 410)
            #expect(other.json?["state"] == "approved")
        }
        let connection = try server.connect()
        let stored = try #require(try gate.record(on: connection))
        #expect(stored.approvals.map(\.approver) == ["alice"])
        #expect(try gate.flowEvents(on: connection) == 1)
    }

    @Test("an approval counted before someone else's rejection closed the gate: its retry says so, with the gate's state")
    func retryAfterRejection() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 3))
        let anonymous = gate.links(nil)
        try await harness.run { client async throws in
            #expect(try await client.post(gate.links("alice").resume, "{}").status == 202)
            #expect(try await client.post(anonymous.resume, "{}").status == 202)
            #expect(try await client.post(gate.links("bob").cancel, #"{"reason": "no"}"#).json?["status"] == "rejected")
            let alice = try await client.post(gate.links("alice").resume, "{}")
            #expect(alice.status == 200)
            #expect(alice.json?["state"] == "rejected")
            #expect(alice.json?["decision"] == "approve")
            let link = try await client.post(anonymous.resume, "{}")
            #expect(link.status == 200, "an anonymous link is an identity of its own")
            #expect(link.json?["status"] == "already_counted")
            let bob = try await client.post(gate.links("bob").cancel, "{}")
            #expect(bob.status == 200)
            #expect(bob.json?["decision"] == "reject")
            #expect(try await client.post(gate.links("carol").resume, "{}").status == 410)
            #expect(try await client.post(gate.links(nil).resume, "{}").status == 410, "a fresh anonymous link never decided")
        }
        let connection = try server.connect()
        let stored = try #require(try gate.record(on: connection))
        #expect(stored.state == .rejected)
        #expect(stored.approvals.count == 2)
        #expect(stored.rejections.map(\.approver) == ["bob"])
        #expect(try gate.flowEvents(on: connection) == 1)
    }

    @Test("an approval counted before the deadline: its retry after the deadline times the gate out once and says it counted")
    func retryAfterDeadline() async throws {
        let harness = RouteHarness(server: server)
        let gate = try harness.seed(.init(required: 2, deadlineFromNow: 1500))  // room for a loaded machine before the first POST
        let server = server
        try await harness.run { client async throws in
            #expect(try await client.post(gate.links("alice").resume, "{}").status == 202)
            let connection = try server.connect()
            while try connection.serverMilliseconds() <= (try #require(try gate.record(on: connection)?.deadline)) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let retry = try await client.post(gate.links("alice").resume, "{}")
            #expect(retry.status == 200)
            #expect(retry.json?["status"] == "already_counted")
            #expect(retry.json?["state"] == "timed_out")
            let late = try await client.post(gate.links("bob").resume, "{}")
            #expect(late.status == 410)
            #expect(late.json?["state"] == "timed_out")
        }
        let connection = try server.connect()
        let stored = try #require(try gate.record(on: connection))
        #expect(stored.state == .timedOut)
        #expect(stored.approvals.map(\.approver) == ["alice"])
        #expect(try gate.flowEvents(on: connection) == 1, "timed out once, by the first request that found it past its deadline")
    }
}

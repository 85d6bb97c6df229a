import Foundation
import SluiceApprovals
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// An approver's inbox: `sluice inbox link NAME` and the resumer's inbox page, against real
/// gates, a real worker and a real resumer.
@Suite("Approver inboxes", .serialized, .tags(.processes))
struct InboxTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// The gate ids listed on an inbox page, in order.
    static func listed(_ page: String) -> [String] {
        page.components(separatedBy: #"<section class="inbox-gate" data-gate=""#).dropFirst().map { String($0.prefix(26)) }
    }

    @Test("the inbox lists exactly the open gates that approver may still decide; an edited or revoked link lists nothing")
    func inboxListsExactlyTheApproversGates() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let connection = try stack.harness.server.connect()
            try GroupStore(keys: stack.harness.store.keys).set("ops", members: ["ana"], on: connection)
            try GroupStore(keys: stack.harness.store.keys).set("finance", members: ["bob"], on: connection)
            let groups = { (name: String) in "required_events: 1\ntimeout: 600\nuser_groups_required:\n  type: static\n  value: [\(name)]" }
            let (_, opsGate) = try await stack.startAndPark(ApprovalTests.gatedFlow(groups("ops")))
            let (_, financeGate) = try await stack.startAndPark(ApprovalTests.gatedFlow(groups("finance")))
            let (_, anasOwn) = try await stack.startAndPark(
                ApprovalTests.gatedFlow("required_events: 1\ntimeout: 600\nself_approval_disabled: true"), createdBy: "ana")
            let (_, twoNeeded) = try await stack.startAndPark(ApprovalTests.gatedFlow("required_events: 2\ntimeout: 600"))
            let (_, plain) = try await stack.startAndPark(ApprovalTests.gatedFlow("required_events: 1\ntimeout: 900"))
            // ana has approved the two-approval gate already.
            let approved = try await stack.request("POST", stack.links(twoNeeded, approver: "ana").resume, body: "{}")
            #expect(approved.status == 202)  // counted: 1 of 2
            let environment = server.sluiceEnvironment(prefix: stack.harness.store.keys.name)
            let made = try await runCommand("sluice", ["inbox", "link", "ana", "--public-url", stack.baseURL], environment: environment)
            #expect(made.status == 0, "\(made.stderr)")
            let anaLink = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(anaLink.hasPrefix(stack.baseURL + "/p/"))
            let again = try await runCommand("sluice", ["inbox", "link", "ana", "--public-url", stack.baseURL], environment: environment)
            #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == anaLink)
            let page = try await stack.request("GET", anaLink, accept: "text/html")
            #expect(page.status == 200)
            // Nearest deadline first: the gates with timeout 600 come before the one with 900.
            #expect(Set(Self.listed(page.body)) == [opsGate.id.rawValue, plain.id.rawValue])
            #expect(Self.listed(page.body).last == plain.id.rawValue)
            #expect(
                !page.body.contains(financeGate.id.rawValue) && !page.body.contains(anasOwn.id.rawValue) && !page.body.contains(twoNeeded.id.rawValue)
            )
            let anasPage = ResumeLinks(
                publicURL: PrefixLinks.base(publicURL: stack.baseURL, keys: stack.harness.store.keys), gate: plain.id.rawValue,
                subject: .named("ana"),
                mintingKey: GateSecret.mintingKey(secret: plain.secret)
            ).approvalPage
            #expect(page.body.contains(anasPage))
            #expect(try await stack.request("GET", anasPage, accept: "text/html").status == 200)
            let json = try await stack.request("GET", anaLink, accept: "application/json")
            #expect(json.json?["approver"] == "ana")
            #expect(Set(json.json?["gates"]?.arrayValue?.compactMap { $0["gate"]?.stringValue } ?? []) == [opsGate.id.rawValue, plain.id.rawValue])
            let bob = try await runCommand("sluice", ["inbox", "link", "bob", "--public-url", stack.baseURL], environment: environment)
            let bobLink = bob.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let bobPage = try await stack.request("GET", bobLink, accept: "text/html")
            #expect(Set(Self.listed(bobPage.body)) == [financeGate.id.rawValue, anasOwn.id.rawValue, twoNeeded.id.rawValue, plain.id.rawValue])
            // ana's token under bob's name, and a token changed by one digit: unknown links.
            let anaToken = String(anaLink.split(separator: "/").last ?? "")
            let bobSegment = String(bobLink.split(separator: "/").dropLast().last ?? "")
            let edited = anaLink.replacingOccurrences(of: String(anaLink.split(separator: "/").dropLast().last ?? ""), with: bobSegment)
            #expect(edited.hasSuffix(bobSegment + "/" + anaToken))
            #expect(try await stack.request("GET", edited, accept: "text/html").status == 404)
            let flipped = String(anaLink.dropLast()) + (anaLink.hasSuffix("0") ? "1" : "0")
            #expect(try await stack.request("GET", flipped, accept: "text/html").status == 404)
            let revoked = try await runCommand("sluice", ["inbox", "revoke", "ana"], environment: environment)
            #expect(revoked.stdout.contains("revoked"))
            #expect(try await stack.request("GET", anaLink, accept: "text/html").status == 404)
            let renewed = try await runCommand("sluice", ["inbox", "link", "ana", "--public-url", stack.baseURL], environment: environment)
            let newLink = renewed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(newLink != anaLink)
            #expect(try await stack.request("GET", newLink, accept: "text/html").status == 200)
        }
    }
}

import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// Flows with approval gates, driven over real HTTP against a real resumer, worker, scheduler and
/// Redis: what happens end to end — flows resumed, canceled or continued, races, scripts' links,
/// the CLI. What each link answers is tested against seeded gates in ResumerRouteTests and
/// ResumerHardeningTests, without a worker or a scheduler.
@Suite("Approval gates over real HTTP", .serialized, .tags(.processes))
struct ApprovalTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// A flow whose first module asks for approval, and whose second reports what it saw.
    static func gatedFlow(_ suspend: String, ask: String = "def main():\n    return {'description': 'Ship **it**?'}\n", language: String = "python3")
        -> String
    {
        """
        summary: Ship it
        value:
          modules:
            - id: ask
              value:
                type: rawscript
                language: \(language)
                content: \(JSONValue.string(ask).jsonText)
              suspend:
        \(suspend.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
            - id: after
              value:
                type: rawscript
                language: python3
                content: "def main(resume, resumes, approvers):\\n    return {'resume': resume, 'resumes': resumes, 'approvers': approvers}\\n"
                input_transforms:
                  resume: {type: javascript, expr: resume}
                  resumes: {type: javascript, expr: resumes}
                  approvers: {type: javascript, expr: approvers}
        """
    }

    static let form = """
        resume_form:
          schema:
            type: object
            properties:
              reason: {type: string}
              count: {type: integer, default: 1}
            required: [reason]
        """

    @Test("a quorum of 2 distinct approvers resumes the flow; the same approver twice counts once")
    func quorum() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let (flow, gate) = try await stack.startAndPark(Self.gatedFlow("required_events: 2\n" + Self.form))
            #expect(gate.state == .open)
            let alice = stack.links(gate, approver: "alice")
            let bob = stack.links(gate, approver: "bob")
            let first = try await stack.request("POST", alice.resume, body: #"{"reason": "looks good"}"#)
            #expect(first.status == 202)
            #expect(first.json?["approvals"] == 1)
            // A retry of the same answer is answered as counted; another answer is refused: the first stands.
            let retry = try await stack.request("POST", alice.resume, body: #"{"reason": "looks good"}"#)
            #expect(retry.status == 200)
            #expect(retry.json?["status"] == "already_counted")
            let again = try await stack.request("POST", alice.resume, body: #"{"reason": "really"}"#)
            #expect(again.status == 409)
            #expect(again.json?["message"]?.stringValue?.contains("already approved this gate with another answer") == true)
            #expect(try stack.gates.gate(gate.id, on: server.connect())?.state == .open)
            let second = try await stack.request("POST", bob.resume, body: #"{"reason": "ok", "count": 3}"#)
            #expect(second.status == 200)
            #expect(second.json?["status"] == "approved")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            #expect(done.result?["approvers"] == ["alice", "bob"])
            #expect(done.result?["resume"] == ["reason": "ok", "count": 3])
            #expect(done.result?["resumes"] == [["reason": "looks good", "count": 1], ["reason": "ok", "count": 3]])
        }
    }

    @Test("a rejection cancels the flow, with the reason; the next step never runs")
    func rejectionCancels() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let (flow, gate) = try await stack.startAndPark(Self.gatedFlow("required_events: 2"))
            let answer = try await stack.request("POST", stack.links(gate, approver: "bob").cancel, body: #"{"reason": "too risky"}"#)
            #expect(answer.status == 200)
            #expect(answer.json?["status"] == "rejected")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .canceled)
            #expect(done.error == "disapproved by bob: too risky")
            #expect(try stack.harness.steps(of: flow).count == 1)
            let recorded = try #require(try stack.gates.gate(gate.id, on: server.connect()))
            #expect(recorded.rejections.first?.reason == "too risky")
        }
    }

    @Test("with continue_on_disapprove_timeout a rejection continues, and the next step sees SuspendedDisapproved")
    func rejectionContinues() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let (flow, gate) = try await stack.startAndPark(Self.gatedFlow("required_events: 1\ncontinue_on_disapprove_timeout: true"))
            _ = try await stack.request("POST", stack.links(gate, approver: "bob").cancel, body: "{}")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            #expect(done.result?["resume"] == ["error": ["name": "SuspendedDisapproved", "message": "Disapproved by bob"]])
        }
    }

    @Test("the timeout cancels the flow")
    func timeoutCancels() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let (flow, _) = try await stack.startAndPark(Self.gatedFlow("required_events: 1\ntimeout: 1"))
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .canceled)
            #expect(done.error == "timed out waiting to be resumed")
        }
    }

    @Test("with continue_on_disapprove_timeout the timeout continues, and the next step sees SuspendedTimedOut")
    func timeoutContinues() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let (flow, gate) = try await stack.startAndPark(Self.gatedFlow("timeout: 1\ncontinue_on_disapprove_timeout: true\nrequired_events: 2"))
            _ = try await stack.request("POST", stack.links(gate, approver: "alice").resume, body: "{}")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            #expect(done.result?["resume"] == ["error": ["name": "SuspendedTimedOut", "message": "Timed out waiting to be resumed"]])
            #expect(done.result?["approvers"] == ["alice"])
            let closed = try #require(try stack.gates.gate(gate.id, on: server.connect()))
            #expect(closed.state == .timedOut)
            // Fired at its deadline on Redis's clock: not before, and not long after.
            let late = try #require(closed.closedAt) - (try #require(closed.deadline))
            #expect((0..<1500).contains(late), "closed \(late) ms after the deadline")
        }
    }

    @Test("approvals, a rejection and the timeout racing close the gate once and queue the next step once")
    func race() async throws {
        try await ApprovalStack.with(server: server, workerConcurrency: 8) { stack in
            for round in 0..<3 {
                let (flow, gate) = try await stack.startAndPark(
                    Self.gatedFlow("required_events: 3\ntimeout: 1\ncontinue_on_disapprove_timeout: true"))
                // Fire everything just around the deadline.
                let deadline = try #require(gate.deadline)
                let redisNow = try server.connect().serverMilliseconds()
                try await Task.sleep(for: .milliseconds(max(0, deadline - redisNow - 15 + Int64(round * 10))))
                let urls = (0..<12).map { stack.links(gate, approver: "approver\($0)").resume } + [stack.links(gate, approver: "rejecter").cancel]
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for url in urls { group.addTask { try await stack.request("POST", url, body: "{}").status } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { [200, 202, 410].contains($0) }, "\(statuses)")
                let done = try await stack.harness.finished(flow)
                #expect(done.state == .success)
                let steps = try stack.harness.steps(of: flow)
                #expect(steps.map { $0.extra["module_id"] } == ["ask", "after"], "round \(round)")
                let closed = try #require(try stack.gates.gate(gate.id, on: server.connect()))
                #expect([GateState.approved, .rejected, .timedOut].contains(closed.state))
                // Exactly one flow event was created for the gate.
                let events =
                    try server.connect().send("KEYS", .string(stack.harness.store.keys.namespace + "job:*")).array?.compactMap(\.string) ?? []
                var gateEvents = 0
                for key in events where !key.contains(":") || key.split(separator: ":").count == 3 {
                    let fields = try server.connect().send("HMGET", .string(key), "kind", "flow_id").array?.compactMap(\.string) ?? []
                    if fields == ["flow_event", flow.rawValue] { gateEvents += 1 }
                }
                #expect(gateEvents == 1)
            }
        }
    }

    @Test("an unmodified Windmill approval script (wmill.get_resume_urls) runs, and its links work")
    func windmillScript() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let windmill = """
                import wmill


                def main():
                    urls = wmill.get_resume_urls()
                    print(urls["approvalPage"])
                    return urls

                """
            let (flow, _) = try await stack.startAndPark(Self.gatedFlow("required_events: 1", ask: windmill))
            let urls = try #require(try stack.result(of: flow, module: "ask"))
            let resume = try #require(urls["resume"]?.stringValue)
            #expect(resume.hasPrefix(stack.baseURL + "/approvals/"))
            #expect(urls["approvalPage"]?.stringValue.map { resume.hasPrefix($0) } == true)
            #expect(try await stack.request("POST", resume, body: "{}").status == 200)
            let done = try await stack.harness.finished(flow)
            #expect(done.result?["approvers"] == ["anonymous"])
        }
    }

    @Test("an unmodified Windmill TypeScript approval script (wmill.getResumeUrls, language bun) runs on Deno, and its links work")
    func windmillTypeScript() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let windmill = """
                import * as wmill from "windmill-client"

                export async function main(approver?: string) {
                  const urls = await wmill.getResumeUrls(approver)
                  console.log(urls.approvalPage)
                  return { anonymous: urls, alice: await wmill.getResumeUrls("alice") }
                }

                """
            let (flow, _) = try await stack.startAndPark(Self.gatedFlow("required_events: 2", ask: windmill, language: "bun"))
            let links = try #require(try stack.result(of: flow, module: "ask"))
            let anonymous = try #require(links["anonymous"]?["resume"]?.stringValue)
            let alice = try #require(links["alice"]?["resume"]?.stringValue)
            #expect(anonymous.hasPrefix(stack.baseURL + "/approvals/"))
            #expect(alice.contains("/u." + Base64URL.encode(Array("alice".utf8)) + "/"))
            #expect(try await stack.request("POST", alice, body: "{}").status == 202)
            #expect(try await stack.request("POST", anonymous, body: "{}").status == 200)
            #expect(try await stack.harness.finished(flow).result?["approvers"] == ["alice", "anonymous"])
        }
    }

    @Test("bash scripts get their links from SLUICE_RESUME_URLS and sluice-resume-urls, bound to the named approver")
    func bashLinks() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let bash = """
                named=$(sluice-resume-urls alice)
                echo "{\\"anonymous\\": $SLUICE_RESUME_URLS, \\"alice\\": $named}"
                """
            let (flow, _) = try await stack.startAndPark(Self.gatedFlow("required_events: 2", ask: bash, language: "bash"))
            let links = try #require(try stack.result(of: flow, module: "ask"))
            let askStep = try #require(try stack.harness.steps(of: flow).first)
            let askLogs = try stack.harness.store.logs(askStep.id, on: server.connect()) ?? ""
            #expect(links["alice"] != nil, "result: \(links), logs: \(askLogs)")
            let named = try #require(links["alice"]?["resume"]?.stringValue)
            #expect(named.contains("/u." + Base64URL.encode(Array("alice".utf8)) + "/"))
            #expect(try await stack.request("POST", named, body: "{}").status == 202)
            #expect(try await stack.request("POST", try #require(links["anonymous"]?["resume"]?.stringValue), body: "{}").status == 200)
            #expect(try await stack.harness.finished(flow).result?["approvers"] == ["alice", "anonymous"])
        }
    }

    @Test("canceling a parked flow closes its gate: its links answer 410")
    func cancelParked() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let (flow, gate) = try await stack.startAndPark(Self.gatedFlow("required_events: 1"))
            #expect(try stack.harness.store.cancel(flow, reason: "not needed", on: server.connect()) == .suspended)
            #expect(try stack.gates.gate(gate.id, on: server.connect())?.state == .canceled)
            let late = try await stack.request("POST", stack.links(gate, approver: "alice").resume, body: "{}")
            #expect(late.status == 410)
            #expect(late.json?["state"] == "canceled")
            #expect(try stack.harness.store.job(flow, on: server.connect())?.state == .canceled)
        }
    }

    @Test("operators list open gates and approve or reject from the CLI; the gate's rules still apply")
    func operatorCLI() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let keys = stack.harness.store.keys
            let env = ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix]
            let (flow, gate) = try await stack.startAndPark(
                Self.gatedFlow("required_events: 2\nself_approval_disabled: true\n" + Self.form), createdBy: "carol")
            let listed = try await runCommand("sluice", ["suspended"], environment: env)
            #expect(listed.stdout.contains(flow.rawValue))
            #expect(listed.stdout.contains("0/2"))
            let refused = try await runCommand(
                "sluice", ["resume", flow.rawValue, "--approver", "carol", "--payload", #"{"reason": "mine"}"#], environment: env)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("carol started this flow"))
            let invalid = try await runCommand("sluice", ["resume", flow.rawValue, "--approver", "alice", "--payload", "{}"], environment: env)
            #expect(invalid.status != 0)
            #expect(invalid.stderr.contains("payload.reason: is required"))
            let first = try await runCommand(
                "sluice", ["resume", flow.rawValue, "--approver", "alice", "--payload", #"{"reason": "ok"}"#], environment: env)
            #expect(first.stdout.contains("1 of 2"))
            let reject = try await runCommand(
                "sluice", ["resume", flow.rawValue, "--reject", "--reason", "changed my mind", "--approver", "bob"], environment: env)
            #expect(reject.status == 0, "\(reject.stderr)")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .canceled)
            #expect(done.error == "disapproved by bob: changed my mind")
            let shown = try await runCommand("sluice", ["job", "show", flow.rawValue], environment: env)
            #expect(shown.stdout.contains("approved by alice"))
            #expect(shown.stdout.contains("via operator"))
            #expect(shown.stdout.contains("rejected by bob"))
            let closed = try await runCommand(
                "sluice", ["resume", gate.id.rawValue, "--approver", "dave", "--payload", #"{"reason": "late"}"#], environment: env)
            #expect(closed.stderr.contains("the gate is closed (rejected)"))
        }
    }

    @Test("approvals that arrive while the step's script still runs are kept and counted when the flow parks")
    func earlyApprovals() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let slow = "import time\n\ndef main():\n    time.sleep(1.5)\n    return {}\n"
            let id = try stack.harness.startFlow(Self.gatedFlow("required_events: 2", ask: slow))
            let connection = try server.connect()
            var gate: GateRecord?
            while gate == nil {
                try await Task.sleep(for: .milliseconds(20))
                if let step = try stack.harness.steps(of: id).first, step.state == .running { gate = try stack.gates.gate(step.id, on: connection) }
            }
            let pending = try #require(gate)
            #expect(pending.state == .pending)
            let first = try await stack.request("POST", stack.links(pending, approver: "alice").resume, body: "{}")
            #expect(first.status == 202)
            #expect(first.json?["pending"] == true)
            #expect(try await stack.request("POST", stack.links(pending, approver: "bob").resume, body: "{}").status == 202)
            let done = try await stack.harness.finished(id)
            #expect(done.state == .success)
            #expect(done.result?["approvers"] == ["alice", "bob"])
        }
    }
}

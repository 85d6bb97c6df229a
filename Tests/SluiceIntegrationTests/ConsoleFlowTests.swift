import Foundation
import SluiceConsole
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// A flow run's page in the console: its graph, its gates, approving from it.
@Suite("Console flow graphs and gates", .serialized)
struct ConsoleFlowTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// A branch (the default taken for n ≤ 10), a parallel loop over three items, a gate, a last step.
    static let flow = """
        summary: Graph me
        value:
          modules:
            - id: pick
              value:
                type: branchone
                branches:
                  - summary: big
                    expr: 'flow_input.n > 10'
                    modules:
                      - id: big
                        value: {type: identity}
                default:
                  - id: small
                    value: {type: identity}
            - id: each
              value:
                type: forloopflow
                iterator: {type: javascript, expr: '[1, 2, 3]'}
                parallel: true
                skip_failures: false
                modules:
                  - id: double
                    value: {type: rawscript, language: bash, content: 'v="$1"; echo $((v * 2))', input_transforms: {v: {type: javascript, expr: flow_input.iter.value}}}
            - id: gate
              value: {type: identity}
              suspend: {required_events: 1, timeout: 600}
            - id: after
              value:
                type: rawscript
                language: bash
                content: 'resume="$1"; echo "$resume"'
                input_transforms:
                  resume: {type: javascript, expr: resume}
        """

    /// Starts the flow and waits until it parks at its gate.
    static func parked(_ stack: ConsoleStack, input: JSONValue = ["n": 3]) async throws -> (flow: JobID, gate: JobID) {
        let id = try stack.harness.startFlow(flow, input: input)
        let connection = try stack.harness.server.connect()
        for _ in 0..<1500 {
            if let job = try stack.harness.store.job(id, on: connection), job.state == .suspended, let gate = job.extra["gate"].flatMap(JobID.init) {
                return (id, gate)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let flow = try stack.harness.store.job(id, on: connection)
        let steps = try FlowStore(keys: stack.keys).steps(of: id, on: connection).compactMap { try stack.harness.store.job($0, on: connection) }
        throw TestFailure(
            "flow \(id) never parked: \(flow?.state.rawValue ?? "gone") \(flow?.error ?? ""); steps: "
                + steps.map { "\($0.extra["module_id"] ?? "?")@\($0.extra["frame"] ?? "?") \($0.state.rawValue) \($0.error ?? "")" }.joined(
                    separator: ", "))
    }

    /// The `<g class="node" …>` opening tag of module `id` (the first one drawn).
    static func node(_ page: String, _ id: String) -> String? {
        guard let start = page.range(of: #"<g class="node" data-module="\#(id)""#) else { return nil }
        return String(page[start.lowerBound...].prefix { $0 != ">" })
    }

    @Test("the graph draws the branch taken, the parallel loop's iterations and the open gate; approving on the page moves the flow on")
    func graphAndApprove() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let (flow, gate) = try await Self.parked(stack)
            let page = try await stack.get("/jobs/\(flow.rawValue)")
            #expect(page.status == 200)
            #expect(page.body.contains(#"<svg class="flow-graph""#))
            // The branch: the default taken, "big" drawn as not taken.
            #expect(page.body.contains(#"class="column" data-label="big" data-taken="false""#))
            #expect(page.body.contains(#"class="column" data-label="default" data-taken="true""#))
            #expect(Self.node(page.body, "small")?.contains(#"data-state="success""#) == true)
            #expect(Self.node(page.body, "big")?.contains(#"data-state="not-run""#) == true)
            // The loop: three iterations, each step succeeded.
            for iteration in 0..<3 { #expect(page.body.contains(#"data-iteration="\#(iteration)""#)) }
            #expect(!page.body.contains(#"data-iteration="3""#))
            #expect(page.body.components(separatedBy: #"<g class="node" data-module="double" data-frame="r.1."#).count - 1 == 3)
            #expect(page.body.components(separatedBy: #"data-module="double" data-frame="r.1.0" data-state="success""#).count == 2)
            // The gate, open, with its forms; the step after it not run yet.
            #expect(Self.node(page.body, "gate")?.contains(#"data-gate-state="open""#) == true)
            #expect(page.body.contains("0/1 · "))
            #expect(Self.node(page.body, "after")?.contains(#"data-state="not-run""#) == true)
            #expect(page.body.contains(#"action="/gates/\#(gate.rawValue)/approve""#))
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            // Without the token nothing is recorded.
            let forged = try await stack.request("POST", "/gates/\(gate.rawValue)/approve", form: [("note", "ship")])
            #expect(forged.status == 403)
            let connection = try stack.harness.server.connect()
            #expect(try GateStore(keys: stack.keys).gate(gate, on: connection)?.approvals.isEmpty == true)
            let approved = try await stack.request("POST", "/gates/\(gate.rawValue)/approve", form: [("csrf", token), ("note", "ship it")])
            #expect(approved.status == 303)
            #expect(approved.headers["location"] == "/jobs/\(flow.rawValue)")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            #expect(done.result == ["note": "ship it"])
            let record = try #require(try GateStore(keys: stack.keys).gate(gate, on: connection))
            #expect(record.approvals.map(\.approver) == [ConsoleStack.operatorName])
            #expect(record.approvals.map(\.via) == ["operator"])
            let after = try await stack.get("/jobs/\(flow.rawValue)")
            #expect(Self.node(after.body, "gate")?.contains(#"data-gate-state="approved""#) == true)
            #expect(Self.node(after.body, "after")?.contains(#"data-state="success""#) == true)
            // Each finished step shows the start of its result under its state.
            for doubled in [2, 4, 6] { #expect(after.body.contains(#"class="detail outcome">→ \#(doubled)</text>"#), "\(doubled)") }
            #expect(after.body.contains(#"class="detail outcome">→ {&quot;note&quot;:&quot;ship it&quot;}</text>"#))
            let entries = try AuditLog(keys: stack.keys).entries(on: connection)
            #expect(entries.first?.action == "approve")
            #expect(entries.first?.who == ConsoleStack.operatorName)
            // A step cannot be deleted alone; the finished flow goes with its steps and its gate.
            let steps = try FlowStore(keys: stack.keys).steps(of: flow, on: connection)
            let step = try #require(steps.first)
            let refused = try await stack.request("POST", "/jobs/\(step.rawValue)/delete", form: [("csrf", token)])
            #expect(refused.status == 409)
            #expect(try await stack.request("POST", "/jobs/\(flow.rawValue)/delete", form: [("csrf", token)]).status == 303)
            let left = (try connection.send("KEYS", .string(stack.keys.prefix + "*")).array ?? []).compactMap(\.string)
            for id in [flow, gate] + steps { #expect(!left.contains { $0.contains(id.rawValue) }, "\(id) left in \(left)") }
        }
    }

    @Test("the gates page lists open gates by deadline and mints a link bound to a named approver; a rejection with a note cancels the flow")
    func gatesPageAndReject() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let (first, firstGate) = try await Self.parked(stack)
            let (_, secondGate) = try await Self.parked(stack, input: ["n": 12])
            let page = try await stack.get("/gates")
            #expect(page.status == 200)
            let soonest = try #require(page.body.range(of: #"data-gate="\#(firstGate.rawValue)""#))
            let later = try #require(page.body.range(of: #"data-gate="\#(secondGate.rawValue)""#))
            #expect(soonest.lowerBound < later.lowerBound)
            let reversed = try await stack.get("/gates?sort=latest")
            #expect(
                (reversed.body.range(of: secondGate.rawValue)?.lowerBound ?? reversed.body.endIndex)
                    < (reversed.body.range(of: firstGate.rawValue)?.lowerBound ?? reversed.body.startIndex))
            #expect(try await stack.get("/gates?sort=sideways").status == 400)
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            let minted = try await stack.request("POST", "/gates/\(firstGate.rawValue)/link", form: [("csrf", token), ("approver", "ana")])
            #expect(minted.status == 200)
            let connection = try stack.harness.server.connect()
            let gate = try #require(try GateStore(keys: stack.keys).gate(firstGate, on: connection))
            let expected = ResumeLinks(
                publicURL: PrefixLinks.base(publicURL: "https://links.example", keys: stack.keys), gate: firstGate.rawValue, subject: .named("ana"),
                mintingKey: GateSecret.mintingKey(secret: gate.secret))
            #expect(minted.body.contains(expected.approvalPage))
            let rejected = try await stack.request("POST", "/gates/\(firstGate.rawValue)/reject", form: [("csrf", token), ("note", "not today")])
            #expect(rejected.status == 303)
            let done = try await stack.harness.finished(first)
            #expect(done.state == .canceled)
            #expect(try GateStore(keys: stack.keys).gate(firstGate, on: connection)?.rejections.first?.reason == "not today")
            // The same operator approving afterwards changes nothing (the desk sees their earlier decision).
            _ = try await stack.request("POST", "/gates/\(firstGate.rawValue)/approve", form: [("csrf", token)])
            #expect(try GateStore(keys: stack.keys).gate(firstGate, on: connection)?.approvals.isEmpty == true)
            #expect(try stack.harness.store.job(first, on: connection)?.state == .canceled)
            let unknown = try await stack.request("POST", "/gates/\(JobID.generate().rawValue)/approve", form: [("csrf", token)])
            #expect(unknown.status == 404)
        }
    }
}

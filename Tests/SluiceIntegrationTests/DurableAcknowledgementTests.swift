import Foundation
import SluiceApprovals
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// `--ack replicas=N`: nothing is acknowledged before N replicas hold it — a master with a real
/// replica (a second redis-server), the replica frozen with SIGSTOP to play one that stopped
/// acknowledging.
@Suite("Durable acknowledgements", .serialized, .tags(.processes))
struct DurableAcknowledgementTests {
    let master: RedisServer
    let replica: RedisServer
    let acknowledgement = ReplicaAcknowledgement(replicas: 1, timeout: .milliseconds(300))

    /// Lets the replica go on (if it was paused), and waits until it acknowledges the master's
    /// writes (on a loaded machine it may take longer than one acknowledgement's timeout to catch up).
    func resumeReplica() async throws {
        replica.resume()
        let connection = try master.connect()
        for _ in 0..<100 {
            if let acknowledged = try connection.send(["WAIT", "1", "100"]).integer, acknowledged >= 1 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the replica did not catch up within 15 s of resuming")
    }

    init() async throws {
        master = try await RedisServer.start()
        replica = try master.startReplica()
    }

    static let flow = ApprovalTests.gatedFlow("required_events: 1")

    @Test(
        "an approval over HTTP is answered once the replica holds it; a replica that does not acknowledge gets 503 with Retry-After, and the same answer sent again once it is back counts once"
    )
    func approvalWaitsForTheReplica() async throws {
        defer { replica.stop() }
        try await ApprovalStack.with(server: master, acknowledgement: acknowledgement) { stack in
            let (flow, gate) = try await stack.startAndPark(Self.flow)
            let alice = stack.links(gate, approver: "alice")
            replica.pause()
            let refused = try await stack.request("POST", alice.resume, body: "{}")
            #expect(refused.status == 503, "\(refused.body)")
            #expect(refused.headers["retry-after"] == "1")
            #expect(refused.json?["message"]?.stringValue?.contains("not yet safely stored") == true)
            try await resumeReplica()
            let retried = try await stack.request("POST", alice.resume, body: "{}")
            #expect(retried.status == 200, "\(retried.body)")
            #expect(retried.json?["status"] == "already_counted")
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            let decided = try #require(try stack.gates.gate(gate.id, on: master.connect()))
            #expect(decided.state == .approved)
            #expect(decided.approvals.map(\.approver) == ["alice"], "the retry was counted again")

            // With the replica acknowledging, the answer comes after the replica has the decision.
            let (_, second) = try await stack.startAndPark(Self.flow)
            let answered = try await stack.request("POST", stack.links(second, approver: "bob").resume, body: "{}")
            #expect(answered.status == 200, "\(answered.body)")
            let onReplica = try GateStore(keys: stack.harness.store.keys).gate(second.id, on: replica.connect())
            #expect(onReplica?.state == .approved, "answered before the replica had the decision")
        }
    }

    @Test("a worker with --ack starts the step after a gate only once the replica holds the gate's decision")
    func nextStepWaitsForTheReplica() async throws {
        defer { replica.stop() }
        try await ApprovalStack.with(server: master, acknowledgement: acknowledgement) { stack in
            let (flow, gate) = try await stack.startAndPark(Self.flow)
            replica.pause()
            // Decided as by a CLI without --ack: the decision is on the master only.
            let desk = ApprovalDesk(gates: stack.gates)
            let submission = ApprovalSubmission(
                gate: gate.id, subject: .named("carol"), credential: .operator, action: .approve(.json(.emptyObject)))
            _ = try desk.submit(submission, on: master.connect())
            try await Task.sleep(for: .seconds(2))
            let waiting = try #require(try stack.harness.store.job(flow, on: master.connect()))
            #expect(!waiting.state.isFinal, "the flow went on while the replica did not have the decision")
            #expect(try stack.result(of: flow, module: "after") == nil, "the step after the gate ran")
            try await resumeReplica()
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            #expect(try stack.result(of: flow, module: "after")?["approvers"] == ["carol"])
        }
    }

    @Test(
        "a webhook run is answered 201 once the replica holds it; without the replica 503 with Retry-After, and the same delivery sent again starts the same run, once"
    )
    func webhookWaitsForTheReplica() async throws {
        defer { replica.stop() }
        try await ApprovalStack.with(server: master, acknowledgement: acknowledgement) { stack in
            let keys = stack.harness.store.keys
            let connection = try master.connect()
            _ = try ScriptStore(keys: keys).push(
                path: try #require(ScriptPath("f/ack/echo")), language: .python3, content: "def main(n):\n    return n\n", on: connection)
            let token = try TokenStore(keys: keys).create(
                name: "ci", scopes: [try #require(TokenScope("run:f/ack/*"))], expiresAt: nil, createdBy: "test", on: connection)
            let url = stack.baseURL + "/api/w/\(keys.name)/jobs/run/p/f/ack/echo"
            let headers = ["Authorization": "Bearer " + token.text, "Idempotency-Key": "delivery-1"]
            replica.pause()
            let refused = try await stack.request("POST", url, body: #"{"n": 1}"#, headers: headers)
            #expect(refused.status == 503, "\(refused.body)")
            #expect(refused.headers["retry-after"] == "1")
            try await resumeReplica()
            let accepted = try await stack.request("POST", url, body: #"{"n": 1}"#, headers: headers)
            #expect(accepted.status == 201, "\(accepted.body)")
            let id = try #require(JobID(accepted.body))
            #expect(try JobStore(keys: keys).job(id, on: replica.connect()) != nil, "answered before the replica had the run")
            #expect(try await stack.harness.finished(id).result == 1)
            let runs = try connection.send(["KEYS", .string(keys.namespace + "job:*")]).array?.compactMap(\.string).filter {
                $0.split(separator: ":").count == 3
            }
            #expect(runs?.count == 1, "the retried delivery started a second run")
        }
    }

    @Test(
        "sluice run with SLUICE_ACK prints the id once the replica has the run; without the replica it fails naming the run, which exists on the master"
    )
    func runWaitsForTheReplica() async throws {
        defer { replica.stop() }
        let keys = KeySpace.unique()
        let options = ["--redis", master.url, "--prefix", keys.prefix]
        // Once the replica acknowledges, a run waits for it; the timeout is generous so that a
        // loaded machine's slow acknowledgement is not taken for a missing one (make test once saw
        // 300 ms pass before a busy replica answered).
        try await resumeReplica()
        let started = try await runCommand("sluice", ["run", "--identity"] + options, environment: ["SLUICE_ACK": "replicas=1,timeout=5000"])
        #expect(started.status == 0, "\(started.stderr)")
        let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try JobStore(keys: keys).job(try #require(JobID(id)), on: replica.connect()) != nil, "the replica does not have the run")
        replica.pause()
        defer { replica.resume() }
        let refused = try await runCommand("sluice", ["run", "--identity"] + options, environment: ["SLUICE_ACK": "replicas=1,timeout=300"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not yet by enough replicas"), "\(refused.stderr)")
        let named = try #require(refused.stderr.split(separator: " ").first { $0.count == 26 && JobID(String($0)) != nil })
        #expect(try JobStore(keys: keys).job(try #require(JobID(String(named))), on: master.connect()) != nil)
    }

    @Test("without a replica acknowledging, WAIT's shortfall is an error naming the counts; without --ack nothing waits")
    func shortfallIsAnError() async throws {
        defer { replica.stop() }
        var configuration = master.configuration
        configuration.acknowledgement = acknowledgement
        let connection = try RedisConnection(configuration: configuration)
        let keys = KeySpace.unique()
        // With the replica running, a wait is acknowledged — within 300 ms on an idle machine; under
        // make test's load the replica can miss that, so this precondition gets a few tries.
        var acknowledged = false
        for _ in 0..<20 where !acknowledged {
            // A Result, not do/catch: this toolchain's compiler crashed on a typed catch in an async loop.
            let wait = Result { () throws(RedisError) in try connection.awaitReplicas(in: keys) }
            if case .failure(.notReplicated) = wait {
                try await Task.sleep(for: .milliseconds(100))
            } else {
                try wait.get()
                acknowledged = true
            }
        }
        try #require(acknowledged, "the running replica never acknowledged")
        replica.pause()
        defer { replica.resume() }
        func counted() throws -> Int { Int(try master.connect().send("GET", .string(keys.acknowledgements)).string ?? "") ?? 0 }
        let before = try counted()
        #expect(throws: RedisError.notReplicated(acknowledged: 0, required: 1)) { try connection.awaitReplicas(in: keys) }
        // Each wait with --ack is counted; one without --ack does not wait, and counts nothing.
        #expect(try counted() == before + 1)
        try master.connect().awaitReplicas(in: keys)  // no --ack: returns at once
        #expect(try counted() == before + 1)
    }
}

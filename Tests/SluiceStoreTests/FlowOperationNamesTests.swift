import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceStore

/// Every operation Swift can put in an `advance_flow` plan is one Lua knows, and Lua knows no
/// operation Swift never builds.
@Suite("advance_flow knows exactly the operations Swift builds")
struct FlowOperationNamesTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// One value of each case of ``FlowOperation``.
    static var everyCase: [FlowOperation] {
        let id = JobID(milliseconds: 1_700_000_000_000)
        let template = StepTemplate(fields: ["module_id", "a"])
        let container = ContainerRecord(id: "r:0", kind: .forLoop, job: id, count: 1, parallelism: 1, template: template, previous: .null)
        return [
            .create(flow: id, fields: ["id", id.rawValue]), .record(field: "a", value: 1),
            .step(StepCreation(id: id, frame: "r", cursor: 0, attempt: 1, template: template)), .frame(id: "r", set: [.resume: 1]),
            .park(frame: "r", gate: id, timeoutMilliseconds: 1000, page: .null, eventID: id),
            .open(container, frame: "r", items: [1], ids: [id], eventID: id),
            .join(container: "r:0", child: 0, result: 1, disposition: .proceed, message: "", forget: [], ids: [], eventID: id),
            .closeWaiting(job: id, outcome: .success(1)), .dropContainer("r:0"), .abandonContainer("r:0", job: id, result: 1),
            .link(job: id, subflow: id), .finish(state: .success, result: 1, error: nil, skipped: false, eventID: id),
            .cancel(reason: "x", eventID: id), .cache(key: "k", value: 1, seconds: 60), .setInput([:]),
        ]
    }

    @Test(
        "each case's operation is accepted by advance_flow (a plan holding every one, for a report that is no longer held, is refused for nothing), and the names are exactly FlowOperation.Name's, each applied by apply_ops"
    )
    func everyOperationIsKnown() throws {
        let connection = try server.connect()
        let keys = KeySpace(prefix: "operation-names")
        let flowID = JobID(milliseconds: 1_700_000_000_001)
        var texts = JSONTextMemo()
        let operations = Self.everyCase.map { $0.json(texts: &texts) }
        let plan: JSONValue = [
            "flow": .string(flowID.rawValue), "retention": 60, "cap": 10,
            "held": ["id": "01M00000000000000000000000", "worker": "nobody", "delivery": 1, "kind": "step", "state": "success", "payload": "1"],
            "ops": .array(operations),
        ]
        let reply = try connection.advanceFlow(plan: plan.jsonText, flow: flowID, keys: keys)
        #expect(reply.array?.first?.integer == 0, "a stale report applies nothing: \(reply)")

        let built = Set(operations.compactMap { $0["op"]?.stringValue })
        #expect(built.count == Self.everyCase.count, "two cases share an operation name: \(built.sorted())")
        #expect(built == Set(FlowOperation.Name.allCases.map(\.rawValue)), "FLOW_OPERATIONS, the names Lua accepts, are FlowOperation.Name's")
        // apply_ops dispatches on FLOW_OP.<name>: every operation Swift builds, and no other.
        let flows = String(decoding: try #require(StoreScripts.includeFiles.first { $0.name == "flows" }).source, as: UTF8.self)
        let dispatched = LuaAssembly.names(readFrom: "FLOW_OP", in: flows)
        #expect(
            dispatched == built,
            "Lua applies \(dispatched.subtracting(built).sorted()) that Swift never builds; Swift builds \(built.subtracting(dispatched).sorted()) that Lua never applies"
        )
    }
}

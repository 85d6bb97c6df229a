import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceStore

/// `advance_flow` applies only operations it knows; a plan naming any other (a newer worker's,
/// a typo) is refused whole, before anything is written.
@Suite("advance_flow refuses an operation it does not know")
struct UnknownFlowOperationTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("a plan that creates a flow and then names an unknown operation is refused with an error naming it, and nothing is written")
    func unknownOperationRefusedWhole() throws {
        let connection = try server.connect()
        let keys = KeySpace(prefix: "unknown-operation")
        let flowID = JobID(milliseconds: 1_700_000_000_000)
        let flow = flowID.rawValue
        let create = #"{"op":"create","flow":"\#(flow)","fields":["id","\#(flow)","kind","flow","state","running","queue","default"]}"#
        func advance(_ operations: [String]) throws -> RedisReply {
            let plan = #"{"flow":"\#(flow)","retention":60,"cap":10,"create":true,"ops":[\#(operations.joined(separator: ","))]}"#
            return try connection.advanceFlow(plan: plan, flow: flowID, keys: keys)
        }
        for unknown in [#"{"op":"forget","fields":["a"]}"#, #"{"op":"drop_frame","frame":"r"}"#, #"{"fields":[]}"#] {
            do {
                _ = try advance([create, unknown])
                Issue.record("\(unknown) was applied")
            } catch {
                #expect("\(error)".contains("OPERATION unknown"), "\(error)")
            }
            #expect(try connection.send(["EXISTS", .string(keys.job(flowID))]).integer == 0, "the create before \(unknown) was not written")
            #expect(try connection.send(["ZCARD", .string(keys.activeFlows)]).integer == 0)
        }
        // The same plan without the unknown operation creates the flow: the refusal was the operation's.
        _ = try advance([create])
        #expect(try connection.send(["HGET", .string(keys.job(flowID)), "state"]).string == "running")
    }
}

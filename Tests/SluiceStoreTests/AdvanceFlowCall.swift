import SluiceCore
import SluiceRedis

@testable import SluiceStore

extension RedisConnection {
    /// Calls `advance_flow` for `flow` with a plan written by the test (and the texts that travel
    /// beside a plan), as ``FlowStore/advance(_:on:)`` would.
    func advanceFlow(plan: String, texts: [String] = [], flow: JobID, keys: KeySpace) throws(RedisError) -> RedisReply {
        try evaluate(
            StoreScripts.advanceFlow, in: keys, keys: [.string(keys.namespace), .string(keys.job(flow)), .string(keys.flowFrames(flow))],
            arguments: [.string(plan)] + texts.map { .string($0) })
    }
}

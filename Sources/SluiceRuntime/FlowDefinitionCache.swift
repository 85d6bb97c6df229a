import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore
import Synchronization

/// Parsed flows by document hash, each with its ``FlowStepper``. A document never changes under
/// its hash, so entries never go stale; the cache is emptied when it reaches its limit.
final class FlowDefinitionCache: Sendable {
    private let steppers = Mutex<[String: FlowStepper]>([:])
    let evaluator: JavaScriptSubsetEvaluator

    init(evaluator: JavaScriptSubsetEvaluator = JavaScriptSubsetEvaluator()) {
        self.evaluator = evaluator
    }

    /// The stepper for the flow version `hash` if it was read already.
    func cached(hash: String) -> FlowStepper? {
        steppers.withLock { $0[hash] }
    }

    /// The stepper for the flow version `hash`, read from Redis on first use.
    func stepper(hash: String, flows: FlowStore, on connection: RedisConnection) throws -> FlowStepper {
        if let cached = cached(hash: hash) { return cached }
        guard let text = try flows.document(hash: hash, on: connection) else {
            throw FlowRuntimeError("the flow version \(hash.prefix(16)) is missing from Redis")
        }
        let stepper = FlowStepper(definition: try FlowParser().parse(text).definition, evaluator: evaluator)
        steppers.withLock { steppers in
            if steppers.count > 256 { steppers.removeAll() }
            steppers[hash] = stepper
        }
        return stepper
    }
}

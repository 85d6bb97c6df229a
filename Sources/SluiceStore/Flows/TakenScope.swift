public import SluiceCore
import SluiceRedis

/// What Redis read for a flow step's scope in the call that took it: the step was created with the
/// reads its module needs (``StepCreation/scope``), and `take_job` made them as it leased the step,
/// after everything before it was written. Beginning the step with it reads nothing more.
public struct TakenScope: Sendable {
    /// The request as the step was created with it.
    let requestText: String
    let reads: [RedisReply]

    /// Splits a taken job's scope reads (its `scope` field, as `take_job` answers it) from the job.
    public static func separate(_ job: JobRecord) -> (job: JobRecord, scope: TakenScope?) {
        var job = job
        guard let text = job.extra.removeValue(forKey: JobRecord.Field.scope.rawValue) else { return (job, nil) }
        return (job, TakenScope(answer: text))
    }

    init?(answer text: String) {
        guard let answer = try? JSONValue(parsing: text), let request = answer["request"]?.stringValue, case .array(let reads)? = answer["reads"]
        else { return nil }
        requestText = request
        self.reads = reads.map(Self.reply)
    }

    /// The snapshot, when `request` is what the step was created with; nil otherwise (a worker of
    /// another version may plan its reads differently): the step then reads its own.
    public func snapshot(for request: FlowSnapshot.Request) -> FlowSnapshot? {
        guard request.collected == nil, request.scopeText == requestText else { return nil }
        return FlowSnapshot(replies: reads, for: request)
    }

    /// A read as Redis answered it, from its JSON form (a missing value is `false`).
    static func reply(_ value: JSONValue) -> RedisReply {
        switch value {
        case .string(let text): .bulk(Array(text.utf8))
        case .array(let elements): .array(elements.map(reply))
        case .number(let number): .bulk(Array(JSONValue.format(number: number).utf8))
        case .null, .bool, .object: .null
        }
    }
}

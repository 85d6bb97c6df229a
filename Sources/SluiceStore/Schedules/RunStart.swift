public import SluiceCore

/// What a schedule's tick — or a failed run's on-failure handler — starts, applied inside the same
/// script that claims the tick (`start_scheduled` in Lua/include/schedules.lua), so starting and
/// claiming happen together or not at all.
public enum RunStart: Sendable {
    /// A script job, queued now (`runAt` is ignored).
    case job(EnqueueRequest)
    /// A flow run, as ``FlowEngine``'s start decision: its `create` operation and first step.
    case flow(FlowAdvance)
    /// Nothing could start (no script or flow at the path, input the flow refuses): a job that
    /// fails at once with `error`, so the run has a job, an outcome and an on-failure run like any other.
    case failed(EnqueueRequest, error: String)

    /// The id of the job or flow it creates.
    public var id: JobID {
        switch self {
        case .job(let request), .failed(let request, _): request.id
        case .flow(let decision): decision.flow
        }
    }

    func json(settings: StoreSettings) -> JSONValue {
        func job(_ request: EnqueueRequest) -> [(String, JSONValue)] {
            [
                ("id", .string(request.id.rawValue)), ("queue", .string(request.queue)),
                ("fields", .array(request.hashFields.map { .string($0) })),
            ]
        }
        switch self {
        case .job(let request):
            return ["job": JSONValue(members: job(request))]
        case .flow(let decision):
            return ["flow": decision.json(settings: settings)]
        case .failed(let request, let error):
            return ["failed": JSONValue(members: job(request) + [("error", .string(error))])]
        }
    }
}

public import SluiceCore

/// One row of the jobs list: the few fields read for every listed job.
public struct JobSummary: Sendable, Equatable {
    public var id: JobID
    public var kind: JobKind
    public var state: JobState
    public var queue: String
    public var path: String?
    public var createdBy: String?
    public var createdAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    public var worker: String?

    /// The hash fields read, in this order, by ``init(values:)``.
    static let fields = [
        JobRecord.Field.id, .kind, .state, .queue, .path, .createdBy, .createdAt, .startedAt, .finishedAt, .worker,
    ].map(\.rawValue)

    /// From an HMGET of ``fields``; `nil` for a job gone (expired) or malformed.
    init?(values: [String?]) {
        guard values.count == Self.fields.count, let id = values[0].flatMap(JobID.init), let kind = values[1].flatMap(JobKind.init(rawValue:)),
            let state = values[2].flatMap(JobState.init(rawValue:)), let queue = values[3]
        else { return nil }
        self.id = id
        self.kind = kind
        self.state = state
        self.queue = queue
        path = values[4]
        createdBy = values[5]
        createdAt = values[6].flatMap { Int64($0) } ?? 0
        startedAt = values[7].flatMap { Int64($0) }
        finishedAt = values[8].flatMap { Int64($0) }
        worker = values[9]
    }
}

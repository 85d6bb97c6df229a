import CoreMetrics
import SluiceCore
import SluiceRedis
import SluiceStore
import Synchronization

/// Reports finished jobs for all of a worker's slots together: a slot hands over its report (and
/// whether it wants its next job in the same call) and waits; one `complete_job` call applies every
/// report waiting at that moment and takes as many next jobs as were asked for. Calls go over a few
/// lanes (connections, each on its own thread): a report goes at once on an idle lane, and while
/// every lane has a call in flight the reports that arrive form the next call (group commit). An
/// idle worker's report goes alone and at once, a busy worker's slots share round trips, with no
/// timer — and with two lanes Redis runs one batch while the slots answered by the other run their
/// next jobs (with one, Redis and the worker took turns).
///
/// Nothing changes for a job: each report is fenced on its own in the script, each slot still
/// holds at most one job; a report the script cannot handle is refused alone (its answer says so,
/// and its slot still gets its next job), and a call that fails (Redis away) fails for every slot
/// in its batch, each of which retries as before.
final class CompletionBatcher: Sendable {
    /// What a slot learns of its report: whether it was applied, and the job it takes next.
    struct Answer: Sendable {
        let applied: Bool
        let next: JobRecord?
        /// Why the script could not handle this report (it changed nothing of it), if it could not.
        var refusal: RedisError?
    }

    private struct Waiting {
        let report: CompletionReport
        let wantsNext: Bool
        let continuation: CheckedContinuation<Answer, any Error>
    }

    private struct Pending: ~Copyable {
        var waiting: [Waiting] = []
        /// The lanes with no call in flight or scheduled.
        var idleLanes: [Int]
    }

    private let pending: Mutex<Pending>
    /// One client (connection and thread) per lane.
    private let lanes: [RedisClient]
    private let store: JobStore
    private let worker: String
    private let next: JobStore.NextJob
    /// The most reports one call carries.
    private let limit: Int
    /// About the most bytes of results and logs one call carries (a single larger report goes alone).
    private let byteLimit = 4 << 20
    /// How many reports each call carried (a histogram on `--metrics-port`).
    private let batchSizes = Recorder(label: "sluice_worker_report_batch_size", aggregate: true)

    /// `lanes` clients are made from `configuration`, each with its own connection.
    init(configuration: RedisConfiguration, lanes: Int = 2, store: JobStore, worker: String, next: JobStore.NextJob, limit: Int = 64) {
        self.lanes = (0..<max(1, lanes)).map { RedisClient(configuration: configuration, label: "sluice.worker.reports\($0)") }
        pending = Mutex(Pending(idleLanes: Array(self.lanes.indices)))
        self.store = store
        self.worker = worker
        self.next = next
        self.limit = max(1, limit)
    }

    /// Reports `report` with the other slots' waiting reports; with `takingNext`, the answer
    /// carries this slot's next job when one was queued.
    func complete(_ report: CompletionReport, takingNext: Bool) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            let lane = pending.withLock { pending in
                pending.waiting.append(Waiting(report: report, wantsNext: takingNext, continuation: continuation))
                return pending.idleLanes.popLast()
            }
            if let lane { lanes[lane].schedule { self.drain($0, lane: lane) } }
        }
    }

    /// On a lane's queue: sends batches until nothing is waiting, then frees the lane.
    private func drain(_ connected: Result<RedisConnection, RedisError>, lane: Int) {
        while true {
            let batch = pending.withLock { pending -> [Waiting] in
                // At most `limit` reports and, past the first, about `byteLimit` of results and logs.
                var count = 0
                var bytes = 0
                for waiting in pending.waiting.prefix(limit) {
                    bytes += waiting.report.size
                    if count > 0, bytes > byteLimit { break }
                    count += 1
                }
                let taken = Array(pending.waiting.prefix(count))
                pending.waiting.removeFirst(count)
                if taken.isEmpty { pending.idleLanes.append(lane) }
                return taken
            }
            if batch.isEmpty { return }
            do {
                try send(batch, on: connected.get())
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// One `complete_job` call for `batch`, answering each waiter; throws without answering any.
    private func send(_ batch: [Waiting], on connection: RedisConnection) throws(RedisError) {
        batchSizes.record(batch.count)
        let wanted = batch.count { $0.wantsNext }
        let result = try store.complete(batch.map(\.report), worker: worker, next: wanted > 0 ? next : nil, taking: wanted, on: connection)
        var taken = result.next[...]
        for (index, waiting) in batch.enumerated() {
            let following = waiting.wantsNext ? taken.popFirst() : nil
            switch result.applied[index] {
            case .success(let applied): waiting.continuation.resume(returning: Answer(applied: applied, next: following))
            // The slot still gets the job taken for it: a refused report must not strand it.
            case .failure(let error): waiting.continuation.resume(returning: Answer(applied: false, next: following, refusal: error))
            }
        }
    }
}

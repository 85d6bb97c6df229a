import Logging
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceStore

extension WorkerService {
    /// Cancels what `job`'s runs up to `delivery` started through its channel and left unfinished;
    /// logged, never fatal (a Redis that is away leaves them running, as a lost worker would).
    func cancelCalls(of job: JobRecord, delivery: Int, reason: String) async {
        let calls = CallStore(keys: store.keys, settings: store.settings)
        do {
            let client = RedisClient(configuration: settings.redis, label: "sluice.worker.calls")
            let count = try await client.run { try calls.cancelCalls(of: job.id, delivery: delivery, reason: reason, on: $0) }
            if count > 0 { logger.info("a job's unfinished calls canceled", metadata: ["job.id": "\(job.id)", "calls": "\(count)"]) }
        } catch {
            logger.warning("cannot cancel a job's calls", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Why a run that started calls ended without success (they are canceled then), or `nil` when it succeeded.
    static func endingWithoutSuccess(_ outcome: JobOutcome, killed: ProcessKiller.Reason?) -> String? {
        switch killed {
        case .timedOut(let seconds)?: return "timed out after \(seconds) s"
        case .canceled?: return "was canceled"
        case .shuttingDown?: return nil
        case nil: break
        }
        if case .failure = outcome { return "failed" }
        return nil
    }
}

import CoreMetrics
import Metrics
import SluiceCore
import SluiceExecution
import Synchronization

/// What the worker counts (swift-metrics; Prometheus names on `--metrics-port`): jobs started and
/// finished by queue, kind and outcome, how long they ran, gates decided (by outcome) and the
/// resume latency — from a gate's decision to its flow moved on — and Redis errors.
///
/// The counters and timers of each queue and kind are made once and kept: making one looks it up
/// in the metrics factory under a lock, which every job used to do three times.
final class WorkerMetrics: Sendable {
    private let redisErrors = Counter(label: "sluice_redis_errors_total", dimensions: [("process", "worker")])
    private let byJob = Mutex<[JobMetricsKey: JobMetrics]>([:])

    /// The metrics of one queue and job kind.
    private struct JobMetrics: Sendable {
        let started: Counter
        let succeeded: Counter
        let failed: Counter
        let duration: Timer
    }

    private struct JobMetricsKey: Hashable, Sendable {
        let queue: String
        let kind: String
    }

    private func metrics(_ job: JobRecord) -> JobMetrics {
        let key = JobMetricsKey(queue: job.queue, kind: job.kind.rawValue)
        return byJob.withLock { cache in
            if let known = cache[key] { return known }
            let dimensions = [("queue", key.queue), ("kind", key.kind)]
            let made = JobMetrics(
                started: Counter(label: "sluice_jobs_started_total", dimensions: dimensions),
                succeeded: Counter(label: "sluice_jobs_finished_total", dimensions: dimensions + [("outcome", "success")]),
                failed: Counter(label: "sluice_jobs_finished_total", dimensions: dimensions + [("outcome", "failure")]),
                duration: Timer(label: "sluice_job_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds))
            cache[key] = made
            return made
        }
    }

    func started(_ job: JobRecord) {
        metrics(job).started.increment()
    }

    /// A report that was applied: its outcome and how long the run took.
    func finished(_ job: JobRecord, outcome: JobOutcome?, ran: Duration) {
        let metrics = metrics(job)
        if let outcome {
            if case .success = outcome { metrics.succeeded.increment() } else { metrics.failed.increment() }
        }
        metrics.duration.recordNanoseconds(ran.nanoseconds)
    }

    /// A gate's decision applied from its flow event: the outcome, and the time from the decision
    /// (the event's creation, Redis's clock) to the worker taking it, plus the worker's own work.
    func gateDecided(_ event: JobRecord, ran: Duration) {
        guard event.arguments["event"] == "gate_decided", let outcome = event.arguments["outcome"]?.stringValue else { return }
        Counter(label: "sluice_gate_outcomes_total", dimensions: [("outcome", outcome)]).increment()
        if let taken = event.startedAt {
            let waited = Duration.milliseconds(max(0, taken - event.createdAt))
            Timer(label: "sluice_resume_latency_seconds", preferredDisplayUnit: .seconds).recordNanoseconds((waited + ran).nanoseconds)
        }
    }

    func redisError() { redisErrors.increment() }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}

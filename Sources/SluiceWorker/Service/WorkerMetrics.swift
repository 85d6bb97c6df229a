import CoreMetrics
import Metrics
import SluiceCore

/// What the worker counts (swift-metrics; Prometheus names on `--metrics-port`): jobs started and
/// finished by queue, kind and outcome, how long they ran, gates decided (by outcome) and the
/// resume latency — from a gate's decision to its flow moved on — and Redis errors.
struct WorkerMetrics: Sendable {
    private let redisErrors = Counter(label: "sluice_redis_errors_total", dimensions: [("process", "worker")])

    func started(_ job: JobRecord) {
        Counter(label: "sluice_jobs_started_total", dimensions: [("queue", job.queue), ("kind", job.kind.rawValue)]).increment()
    }

    /// A report that was applied: its outcome and how long the run took.
    func finished(_ job: JobRecord, outcome: JobOutcome?, ran: Duration) {
        let dimensions = [("queue", job.queue), ("kind", job.kind.rawValue)]
        if let outcome {
            let result = if case .success = outcome { "success" } else { "failure" }
            Counter(label: "sluice_jobs_finished_total", dimensions: dimensions + [("outcome", result)]).increment()
        }
        Timer(label: "sluice_job_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds).recordNanoseconds(ran.nanoseconds)
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

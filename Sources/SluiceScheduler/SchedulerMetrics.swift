import CoreMetrics
import Metrics

/// What the scheduler counts (swift-metrics; Prometheus names on `--metrics-port`): delayed jobs
/// made ready, gates timed out (and how late), expired leases handled, schedule ticks, stuck flows
/// failed by the flow audit, Redis errors.
struct SchedulerMetrics: Sendable {
    private let promotedJobs = Counter(label: "sluice_delayed_jobs_promoted_total")
    private let timedOut = Counter(label: "sluice_gate_deadlines_fired_total")
    private let handedBack = Counter(label: "sluice_leases_reclaimed_total", dimensions: [("result", "handed_back")])
    private let failedAfterDeliveries = Counter(label: "sluice_leases_reclaimed_total", dimensions: [("result", "failed")])
    private let ticksFired = Counter(label: "sluice_schedule_ticks_total", dimensions: [("result", "fired")])
    private let catchUps = Counter(label: "sluice_schedule_ticks_total", dimensions: [("result", "catch_up")])
    private let ticksSkipped = Counter(label: "sluice_schedule_ticks_total", dimensions: [("result", "skipped")])
    private let deadlineLateness = Timer(label: "sluice_gate_deadline_lateness_seconds", preferredDisplayUnit: .seconds)
    private let redisErrors = Counter(label: "sluice_redis_errors_total", dimensions: [("process", "scheduler")])
    private let stuckFlows = Counter(label: "sluice_stuck_flows_failed_total")

    func promoted(_ count: Int) { if count > 0 { promotedJobs.increment(by: count) } }

    func gatesTimedOut(lateness: [Int64]) {
        guard !lateness.isEmpty else { return }
        timedOut.increment(by: lateness.count)
        for late in lateness { deadlineLateness.recordMilliseconds(late) }
    }

    func leases(handedBack back: Int, failed: Int) {
        if back > 0 { handedBack.increment(by: back) }
        if failed > 0 { failedAfterDeliveries.increment(by: failed) }
    }

    func ticks(fired: Int, catchUps caught: Int, skipped: Int) {
        if fired > 0 { ticksFired.increment(by: fired) }
        if caught > 0 { catchUps.increment(by: caught) }
        if skipped > 0 { ticksSkipped.increment(by: skipped) }
    }

    func redisError() { redisErrors.increment() }

    func stuckFlowFailed() { stuckFlows.increment() }
}

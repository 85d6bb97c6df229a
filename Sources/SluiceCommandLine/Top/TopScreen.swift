import Foundation
public import SluiceStore

/// What `sluice top` draws from an ``Overview``: queues (pending, running, delayed, jobs/s, oldest
/// pending age), open gates and their nearest deadline, live workers (queues, concurrency, jobs
/// held, heartbeat age). Pure: the same lines whether drawn live or printed once.
public enum TopScreen {
    public static func lines(_ overview: Overview, prefix: String) -> [String] {
        var lines = ["sluice top — \(prefix) — \(JobPresenter.timestamp(overview.now))   (q to quit)", ""]
        let intoMinute = overview.now % 60_000
        var rows = [["QUEUE", "PENDING", "RUNNING", "DELAYED", "JOBS/S", "OLDEST PENDING", "SUCCEEDED", "FAILED"]]
        for queue in overview.queues {
            rows.append([
                queue.queue, String(queue.pending), String(queue.running), String(queue.delayed),
                String(format: "%.1f", queue.jobsPerSecond(millisecondsIntoMinute: intoMinute)),
                queue.oldestPendingSince.map { age(overview.now - $0) } ?? "-", String(queue.succeeded), String(queue.failed),
            ])
        }
        if overview.queues.isEmpty { rows.append(["(no queues yet)"]) }
        lines += Table.render(rows).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append("")
        var gates = "open gates: \(overview.openGates)"
        if let deadline = overview.nearestDeadline {
            gates += ", nearest deadline in \(age(deadline - overview.now)) (\(JobPresenter.timestamp(deadline)))"
        }
        lines.append(gates)
        var schedules = "schedules: \(overview.schedules.count) (\(overview.schedules.waiting) waiting for a tick)"
        if let name = overview.schedules.nextName, let due = overview.schedules.nextDue {
            schedules += ", next: \(name) in \(age(due - overview.now))"
        }
        lines.append(schedules)
        lines.append("")
        var workers = [["WORKER", "QUEUES", "CONCURRENCY", "RUNNING", "HEARTBEAT"]]
        for worker in overview.workers {
            workers.append([
                worker.status.id, worker.queues.joined(separator: ","), worker.concurrency.map(String.init) ?? "?", String(worker.running),
                age(overview.now - worker.status.lastSeen) + " ago",
            ])
        }
        if overview.workers.isEmpty { workers.append(["(no live workers)"]) }
        lines += Table.render(workers).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines
    }

    /// A duration for people: `850 ms`, `12.3 s`, `4 min 10 s`, `3 h 5 min`.
    public static func age(_ milliseconds: Int64) -> String {
        let value = max(0, milliseconds)
        if value < 1000 { return "\(value) ms" }
        if value < 60_000 { return String(format: "%.1f s", Double(value) / 1000) }
        if value < 3_600_000 { return "\(value / 60_000) min \(value % 60_000 / 1000) s" }
        return "\(value / 3_600_000) h \(value % 3_600_000 / 60_000) min"
    }
}

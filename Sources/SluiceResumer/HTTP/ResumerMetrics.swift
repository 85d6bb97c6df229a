import Prometheus
import SluiceRedis
import SluiceStore

/// The resumer's Prometheus metrics: what approvers did (every answer by outcome, every refusal
/// by its reason), connections open and closed by the resumer's limits, and — read from Redis at
/// each scrape — the open gates and each queue's pending, running and finished counts.
struct ResumerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let keys: KeySpace
    let connections: ConnectionCount

    init(registry: PrometheusCollectorRegistry, keys: KeySpace, connections: ConnectionCount) {
        self.registry = registry
        self.keys = keys
        self.connections = connections
    }

    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sluice", metricName: name, unitName: "", helpText: help)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = [], _ value: Double) {
        registry.makeGauge(descriptor: descriptor(name, help), labels: labels).set(to: value)
    }

    /// Counts one approval request by its outcome: what it did (`approved`, `rejected`, `counted`,
    /// `rejection_kept`, `duplicate`) or why it was refused (`not_found`, `closed`, `timed_out`,
    /// `refused`, `invalid`, `malformed`, `unsupported_media_type`, `too_large`, `unavailable`).
    func count(_ outcome: String) {
        registry.makeCounter(
            descriptor: descriptor("approval_requests_total", "Approval and rejection requests by outcome"), labels: [("outcome", outcome)]
        )
        .increment()
    }

    /// Counts a connection the resumer closed on its own: `read_timeout` (a request's body too
    /// slow) or `shed` (over `--max-connections`).
    func connectionClosed(_ reason: String) {
        registry.makeCounter(
            descriptor: descriptor("resumer_connections_closed_total", "Connections the resumer closed: slow requests, load shed"),
            labels: [("reason", reason)]
        )
        .increment()
    }

    /// The exposition text, with gauges refreshed from Redis.
    func render(pool: RedisClientPool) async -> String {
        let keys = keys
        let snapshot = try? await pool.run { connection -> (Int64, [QueueStatistics]) in
            let open = try connection.send(["ZCARD", .string(keys.gateDeadlines)]).integer ?? 0
            return (open, try StatisticsReader(keys: keys).queues(on: connection))
        }
        if let (open, queues) = snapshot {
            gauge("open_gates", "Approval gates waiting for a decision", [], Double(open))
            for queue in queues {
                let labels = [("queue", queue.queue)]
                gauge("queue_pending", "Jobs waiting in the queue", labels, Double(queue.pending))
                gauge("queue_running", "Jobs taken by workers", labels, Double(queue.running))
                gauge("queue_delayed", "Jobs waiting for their run-at time", labels, Double(queue.delayed))
                gauge("jobs_succeeded", "Jobs finished successfully", labels, Double(queue.succeeded))
                gauge("jobs_failed", "Jobs finished with an error", labels, Double(queue.failed))
            }
        }
        gauge("redis_up", "1 when the resumer reached Redis at this scrape", [], snapshot == nil ? 0 : 1)
        gauge("resumer_open_connections", "HTTP connections open now", [], Double(connections.current))
        return registry.emitToString()
    }
}

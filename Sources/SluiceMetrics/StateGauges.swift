public import Prometheus
public import SluiceRedis
public import SluiceStore

/// The gauges every process's `/metrics` reads from Redis at each scrape — the same figures
/// whichever process is scraped: open gates, and per queue pending, running, delayed, succeeded
/// and failed jobs, plus `sluice_redis_up` — each labelled with its `prefix`.
public struct StateGauges: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let keys: KeySpace

    public init(registry: PrometheusCollectorRegistry, keys: KeySpace) {
        self.registry = registry
        self.keys = keys
    }

    /// Reads the figures on `connection` (nil: Redis unreachable) and sets the gauges.
    public func refresh(on connection: RedisConnection?) {
        var snapshot: (open: Int64, queues: [QueueStatistics])?
        if let connection {
            snapshot = try? (
                connection.send(["ZCARD", .string(keys.gateDeadlines)]).integer ?? 0, StatisticsReader(keys: keys).queues(on: connection)
            )
        }
        if let snapshot {
            gauge("open_gates", "Approval gates waiting for a decision", [("prefix", keys.name)], Double(snapshot.open))
            for queue in snapshot.queues {
                let labels = [("prefix", keys.name), ("queue", queue.queue)]
                gauge("queue_pending", "Jobs waiting in the queue", labels, Double(queue.pending))
                gauge("queue_running", "Jobs taken by workers", labels, Double(queue.running))
                gauge("queue_delayed", "Jobs waiting for their run-at time", labels, Double(queue.delayed))
                gauge("jobs_succeeded", "Jobs finished successfully", labels, Double(queue.succeeded))
                gauge("jobs_failed", "Jobs finished with an error", labels, Double(queue.failed))
            }
        }
        gauge("redis_up", "1 when this process reached Redis at this scrape", [("prefix", keys.name)], snapshot == nil ? 0 : 1)
    }

    /// Sets one gauge of the `sluice` namespace.
    public func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "sluice", metricName: name, unitName: "", helpText: help), labels: labels)
            .set(to: value)
    }
}

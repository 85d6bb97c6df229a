import Prometheus
import SluiceMetrics
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
        // Present at zero from the start, so dashboards show 0 rather than no data.
        for reason in ["read_timeout", "shed"] { closedCounter(reason) }
        for outcome in ["approved", "rejected", "counted", "not_found", "closed", "invalid"] { requestCounter(outcome) }
    }

    @discardableResult
    private func closedCounter(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: descriptor("resumer_connections_closed_total", "Connections the resumer closed: slow requests, load shed"),
            labels: [("reason", reason)])
    }

    @discardableResult
    private func requestCounter(_ outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: descriptor("approval_requests_total", "Approval and rejection requests by outcome"), labels: [("outcome", outcome)])
    }

    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sluice", metricName: name, unitName: "", helpText: help)
    }

    /// Counts one approval request by its outcome: what it did (`approved`, `rejected`, `counted`,
    /// `rejection_kept`, `duplicate`) or why it was refused (`not_found`, `closed`, `timed_out`,
    /// `refused`, `invalid`, `malformed`, `unsupported_media_type`, `too_large`, `unavailable`).
    func count(_ outcome: String) {
        requestCounter(outcome).increment()
    }

    /// Counts one trigger request by its outcome: `started`, `duplicate`, `finished`, `waiting`
    /// (answered 202), or why it was refused (`not_found`, `unauthorized`, `rate_limited`,
    /// `invalid`, `too_large`, `busy`, `unavailable`).
    func trigger(_ outcome: String) {
        registry.makeCounter(
            descriptor: descriptor("trigger_requests_total", "Webhook and route requests by outcome"), labels: [("outcome", outcome)]
        ).increment()
    }

    /// Counts a connection the resumer closed on its own: `read_timeout` (a request's body too
    /// slow) or `shed` (over `--max-connections`).
    func connectionClosed(_ reason: String) {
        closedCounter(reason).increment()
    }

    /// The exposition text, with the state gauges of every prefix refreshed from Redis.
    func render(prefixes: [(keys: KeySpace, pool: RedisClientPool)]) async -> String {
        for (keys, pool) in prefixes {
            let gauges = StateGauges(registry: registry, keys: keys)
            let reached = try? await pool.run { connection in
                gauges.refresh(on: connection)
                return true
            }
            if reached == nil { gauges.refresh(on: nil) }
        }
        StateGauges(registry: registry, keys: keys).gauge("resumer_open_connections", "HTTP connections open now", [], Double(connections.current))
        return registry.emitToString()
    }
}

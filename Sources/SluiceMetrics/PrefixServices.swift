public import Logging
import Metrics
import Prometheus
public import ServiceLifecycle
public import SluiceRedis
public import SluiceStore

/// The services of a worker or scheduler process: one per prefix it serves, each with its own
/// Redis configuration, and the Prometheus endpoint when an address is given — bootstrapped
/// before any service is made, so the services' counters are Prometheus's.
public enum PrefixServices {
    /// `service` makes the service of one prefix; the prefixes keep their order.
    public static func make(
        prefixes: [(KeySpace, RedisConfiguration)], metricsAt address: (host: String, port: Int)?, logger: Logger,
        service: (KeySpace, RedisConfiguration) throws -> any Service
    ) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var endpoint: MetricsEndpoint?
        if let address {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            endpoint = MetricsEndpoint(host: address.host, port: address.port, registry: registry, prefixes: prefixes, logger: logger)
        }
        var services = try prefixes.map { keys, redis in ServiceGroupConfiguration.ServiceConfiguration(service: try service(keys, redis)) }
        if let endpoint { services.append(.init(service: endpoint)) }
        return services
    }
}

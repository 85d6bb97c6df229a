public import ArgumentParser
import Foundation
public import SluiceRedis
public import SluiceStore

/// The options every Sluice executable takes to reach Redis. Each falls back to an environment
/// variable, then to a default: `--redis` / `SLUICE_REDIS_URL` / `redis://127.0.0.1:6379`, and
/// `--prefix` / `SLUICE_PREFIX` / `sluice`.
public struct ConnectionOptions: ParsableArguments, Sendable {
    @Option(
        name: .long,
        help:
            "Redis URL: redis://[user:pass@]host:port/db, unix:///path?db=N, redis+sentinel://host:port,.../MASTER or redis+cluster://host:port,... (env SLUICE_REDIS_URL)."
    )
    public var redis: String?

    @Option(name: .long, help: "Key prefix; every key lives under {PREFIX} (env SLUICE_PREFIX, default sluice).")
    public var prefix: String?

    @Option(name: .long, help: "Days finished jobs and their logs are kept (env SLUICE_RETENTION_DAYS, default 7).")
    public var retentionDays: Double?

    public init() {}

    /// The Redis configuration, from the option, the environment or the default.
    public func redisConfiguration() throws -> RedisConfiguration {
        let url = redis ?? Environment.value("SLUICE_REDIS_URL") ?? "redis://127.0.0.1:6379"
        do {
            var configuration = try RedisConfiguration(url: url)
            // On a cluster the connection serves the prefix's slot (all its keys share one hash tag).
            configuration.slotKey = keySpace.prefix
            return configuration
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Retention and index settings, from the option, the environment or the defaults.
    public func storeSettings() throws -> StoreSettings {
        let days = retentionDays ?? Environment.value("SLUICE_RETENTION_DAYS").flatMap(Double.init) ?? 7
        guard days > 0, days <= 3650 else { throw ValidationError("--retention-days must be between 0 and 3650") }
        return StoreSettings(retentionSeconds: Int((days * 86400).rounded()))
    }

    /// The job store for these options.
    public func jobStore() throws -> JobStore {
        JobStore(keys: keySpace, settings: try storeSettings())
    }

    /// The key space under the chosen prefix.
    public var keySpace: KeySpace {
        KeySpace(prefix: prefix ?? Environment.value("SLUICE_PREFIX") ?? "sluice")
    }
}

/// Reads the process environment.
public enum Environment {
    /// The variable's value, or `nil` when unset or empty.
    public static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

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

    @Option(
        name: .long,
        help: "Key prefix; every key lives under {PREFIX} (env SLUICE_PREFIX, default sluice). The worker, scheduler and resumer take several: a,b,c."
    )
    public var prefix: String?

    @Option(name: .long, help: "Days finished jobs and their logs are kept (env SLUICE_RETENTION_DAYS, default 7).")
    public var retentionDays: Double?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Durable acknowledgements: replicas=N[,timeout=MS] (env SLUICE_ACK; default none).",
            discussion:
                "An approval, a rejection, an accepted run or webhook and a gate's deadline are answered only once N replicas have them (WAIT); fewer in time: 503 with Retry-After over HTTP, an error in the CLI, and the retry is safe. A worker starts the step after a gate only once the gate's decision is on N replicas."
        ))
    public var ack: String?

    public init() {}

    /// The Redis configuration for `keys` (default: the first prefix), from the option, the
    /// environment or the default.
    public func redisConfiguration(for keys: KeySpace? = nil) throws -> RedisConfiguration {
        let url = redis ?? Environment.value("SLUICE_REDIS_URL") ?? "redis://127.0.0.1:6379"
        do {
            var configuration = try RedisConfiguration(url: url)
            // On a cluster the connection serves the prefix's slot (all its keys share one hash tag).
            configuration.slotKey = (keys ?? keySpace).prefix
            configuration.acknowledgement = try ReplicaAcknowledgement.parse(ack ?? Environment.value("SLUICE_ACK") ?? "")
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

    /// The job store for `keys` (default: the first prefix).
    public func jobStore(for keys: KeySpace? = nil) throws -> JobStore {
        JobStore(keys: keys ?? keySpace, settings: try storeSettings())
    }

    /// The key space under the first (or only) prefix.
    public var keySpace: KeySpace { keySpaces.first ?? KeySpace() }

    /// Every prefix given (`--prefix a,b,c`), in order, each once.
    public var keySpaces: [KeySpace] {
        let text = prefix ?? Environment.value("SLUICE_PREFIX") ?? "sluice"
        var seen = Set<String>()
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { KeySpace(prefix: $0) }
            .filter { seen.insert($0.prefix).inserted }
    }

    /// For commands that work on one prefix: refuses a list.
    public func singlePrefix() throws -> KeySpace {
        let all = keySpaces
        guard all.count == 1, let only = all.first else {
            throw ValidationError("this command works on one prefix; got \(all.map(\.name).joined(separator: ", "))")
        }
        return only
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

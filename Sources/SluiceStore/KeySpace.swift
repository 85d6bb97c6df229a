public import SluiceCore

/// Every Redis key Sluice uses, under one prefix wrapped in a hash tag (default `{sluice}`), so
/// all keys hash to one slot and every Lua script is valid on Redis Cluster.
///
/// The layout is documented key by key in docs/redis-keys.md. Scripts that find a key from data
/// they read (a job's queue, the next job's id) build it from ``namespace``, which is passed to
/// them as `KEYS[1]`; such keys share the hash tag.
public struct KeySpace: Sendable, Equatable {
    /// The prefix with its hash tag, e.g. `{sluice}`.
    public let prefix: String

    /// Keys for `prefix`; braces are added when the prefix has no hash tag of its own.
    public init(prefix: String = "sluice") {
        if prefix.contains("{"), prefix.contains("}") {
            self.prefix = prefix
        } else {
            self.prefix = "{\(prefix)}"
        }
    }

    /// `{sluice}:` — the start of every key.
    public var namespace: String { prefix + ":" }

    public func job(_ id: JobID) -> String { namespace + "job:" + id.rawValue }
    public func jobLogs(_ id: JobID) -> String { job(id) + ":logs" }
    public func jobDone(_ id: JobID) -> String { job(id) + ":done" }
    public func queue(_ name: String) -> String { namespace + "queue:" + name }
    public func queueSignal(_ name: String) -> String { queue(name) + ":signal" }
    public var queues: String { namespace + "queues" }
    public var delayed: String { namespace + "delayed" }
    public var leases: String { namespace + "leases" }
    public var workers: String { namespace + "workers" }
    public func worker(_ id: String) -> String { namespace + "worker:" + id }
    public func finished(_ queue: String) -> String { namespace + "finished:" + queue }
    public func stats(_ queue: String) -> String { namespace + "stats:" + queue }
    public func throughput(_ queue: String, minute: Int64) -> String { namespace + "throughput:" + queue + ":" + String(minute) }
    public var schedulerWake: String { namespace + "scheduler:wake" }
    public func content(_ hash: String) -> String { namespace + "content:" + hash }
    public func script(_ path: String) -> String { namespace + "script:" + path }
    public func scriptVersions(_ path: String) -> String { script(path) + ":versions" }
    public var scripts: String { namespace + "scripts" }
    public func flow(_ path: String) -> String { namespace + "flow:" + path }
    public func flowVersions(_ path: String) -> String { flow(path) + ":versions" }
    public var flows: String { namespace + "flows" }
    public func flowResults(_ id: JobID) -> String { job(id) + ":results" }
    public func flowSteps(_ id: JobID) -> String { job(id) + ":steps" }
    public func gate(_ id: JobID) -> String { namespace + "gate:" + id.rawValue }
    public var gateDeadlines: String { namespace + "gates:deadlines" }
    public func group(_ name: String) -> String { namespace + "group:" + name }
    public var groups: String { namespace + "groups" }
}

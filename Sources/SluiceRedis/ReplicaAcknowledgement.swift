import Foundation

/// How many replicas must hold a write before a process tells anyone it happened
/// (`--ack replicas=N[,timeout=MS]`, env `SLUICE_ACK`): after the one script that records an
/// approval, accepts a run or decides a gate, the process sends `WAIT N timeout` on the same
/// connection and answers only when N replicas have every write that connection made
/// (``RedisConnection/awaitReplicas()``). Replication is in order, so a later write on N replicas
/// means every earlier one of the master is there too.
public struct ReplicaAcknowledgement: Sendable, Equatable, CustomStringConvertible {
    /// Replicas that must acknowledge (at least 1).
    public var replicas: Int
    /// How long to wait for them before answering that the write is not durable yet.
    public var timeout: Duration

    public init(replicas: Int, timeout: Duration = .milliseconds(2000)) {
        self.replicas = replicas
        self.timeout = timeout
    }

    /// Reads `replicas=N[,timeout=MS]` (`none` or an empty text: no acknowledgement).
    public static func parse(_ text: String) throws(RedisError) -> ReplicaAcknowledgement? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "none" { return nil }
        var replicas: Int?
        var timeout = Duration.milliseconds(2000)
        for part in trimmed.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let value = Int(pair[1]) else {
                throw RedisError.configuration("--ack takes replicas=N[,timeout=MS], not '\(text)'")
            }
            switch pair[0] {
            case "replicas":
                guard value >= 1 else { throw RedisError.configuration("--ack replicas must be at least 1") }
                replicas = value
            case "timeout":
                guard value >= 1 else { throw RedisError.configuration("--ack timeout must be at least 1 ms") }
                timeout = .milliseconds(value)
            default:
                throw RedisError.configuration("--ack knows replicas and timeout, not '\(pair[0])'")
            }
        }
        guard let replicas else { throw RedisError.configuration("--ack needs replicas=N") }
        return ReplicaAcknowledgement(replicas: replicas, timeout: timeout)
    }

    /// The timeout in whole milliseconds, as `WAIT` takes it.
    public var timeoutMilliseconds: Int64 {
        let (seconds, attoseconds) = timeout.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    public var description: String { "replicas=\(replicas),timeout=\(timeoutMilliseconds)" }
}

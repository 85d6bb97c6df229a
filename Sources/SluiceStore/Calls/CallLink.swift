public import SluiceCore

/// A running job starting another through its channel: who asks (the job and the delivery it
/// runs, so a caller that was canceled, timed out or handed back starts nothing) and the limits
/// every chain of calls is held to. Applied by `start_call` (a script) and `advance_flow` (a flow).
public struct CallLink: Sendable, Equatable {
    public var parent: JobID
    public var delivery: Int
    /// How deep calls may nest: a job nobody called is at depth 0, what it starts at depth 1…
    public var maxDepth: Int
    /// How many jobs one chain (a job nobody called and everything started under it) may start.
    public var maxTotal: Int

    public init(parent: JobID, delivery: Int, maxDepth: Int = CallLimits.defaultDepth, maxTotal: Int = CallLimits.defaultTotal) {
        self.parent = parent
        self.delivery = delivery
        self.maxDepth = maxDepth
        self.maxTotal = maxTotal
    }

    var json: JSONValue {
        [
            "parent": .string(parent.rawValue), "delivery": .number(Double(delivery)), "max_depth": .number(Double(maxDepth)),
            "max_total": .number(Double(maxTotal)),
        ]
    }
}

/// The bounds of calls, so a script that starts itself cannot flood the queues.
public enum CallLimits {
    /// Calls nest at most this deep (a chain of sync calls holds one waiting process per level).
    public static let defaultDepth = 10
    /// One chain starts at most this many jobs in all.
    public static let defaultTotal = 10_000
}

/// Why a job could not start another: it no longer runs, or a limit was reached.
public struct CallRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The fields of a job's hash that link it to the job that started it through its channel (the
/// names of ``JobRecord/Field``, as strings for ``JobRecord/extra``).
public enum CallField {
    /// The job that started it.
    public static let calledBy = JobRecord.Field.calledBy.rawValue
    /// How deep in its chain: 1 for a call made by a job nobody called.
    public static let depth = JobRecord.Field.callDepth.rawValue
    /// The first job of its chain.
    public static let root = JobRecord.Field.callRoot.rawValue
    /// On a chain's first job: how many jobs the chain started.
    public static let started = JobRecord.Field.callsStarted.rawValue
}

public import SluiceCore

/// One schedule's tick as a scheduler decided it, for `fire_schedule_tick`: fire `tick` (or, with
/// none, only move the schedule to `nextDue`), at the `version` of the schedule it read.
public struct TickFiring: Sendable {
    public var name: String
    public var version: Int
    /// The tick id to fire (whole seconds since the epoch), or `nil` to only move the schedule.
    public var tick: Int64?
    /// Due ticks passed over for `tick` (a catch-up when above 0).
    public var missed: Int
    /// The next due time (ms), or `nil` when the schedule never fires again.
    public var nextDue: Int64?
    /// What the tick starts (required with a tick).
    public var start: RunStart?

    public init(name: String, version: Int, tick: Int64?, missed: Int = 0, nextDue: Int64?, start: RunStart? = nil) {
        self.name = name
        self.version = version
        self.tick = tick
        self.missed = missed
        self.nextDue = nextDue
        self.start = start
    }
}

/// What `fire_schedule_tick` did.
public struct TickOutcome: Sendable, Equatable {
    /// The outcome as `fire_schedule_tick` answers it (the Lua prelude carries these as `TICK_OUTCOME.<name>`).
    public enum Kind: String, CaseIterable, Sendable {
        /// The tick fired: its run started.
        case fired
        /// The tick was recorded as skipped (no-overlap: the previous run had not finished).
        case skipped
        /// No tick fired; the schedule moved to its next due time.
        case moved
        /// Nothing changed: the schedule changed since it was read, or the tick fired already.
        case stale
        /// The schedule no longer exists.
        case gone
    }

    public var kind: Kind
    /// How late the tick fired or was skipped, in ms on Redis's clock.
    public var lateness: Int64
    /// The job or flow the tick started.
    public var job: JobID?
}

/// What a scheduler does for one schedule at one moment: the pure answer of
/// ``CronSchedule/decideTick(since:now:)``, which the store then applies by claiming ``fire``.
///
/// Catch-up rule: of all the ticks that came due since the schedule last fired, only the latest
/// fires; the older ones are counted in ``missed`` and never fire (no storm after a scheduler was
/// down).
public struct TickDecision: Sendable, Hashable {
    /// How far ``missed`` counts before it stops: a value this large means "at least this many".
    public static let missedCountLimit = 100

    /// The tick to fire now — the latest one due — or `nil` when none is due.
    public var fire: ScheduleTick?
    /// Due ticks passed over because a later one fires instead (0 when on time), counted up to
    /// ``missedCountLimit``.
    public var missed: Int
    /// The first tick after now: when this schedule next needs a look. `nil` if it never fires again.
    public var next: ScheduleTick?

    /// Whether ``fire`` catches up after missed ticks.
    public var isCatchUp: Bool { missed > 0 }

    public init(fire: ScheduleTick?, missed: Int, next: ScheduleTick?) {
        self.fire = fire
        self.missed = missed
        self.next = next
    }
}

import Foundation

/// A time zone seen as a map from instants to wall-clock readings, both in whole seconds, and back.
/// The way back is where daylight saving time shows: a wall time may be read once, twice (the
/// clock was set back) or never (the clock jumped forward over it).
struct ZoneClock {
    /// How often the clock shows one wall time.
    enum Reading: Equatable {
        /// At exactly one instant.
        case once(Int64)
        /// Twice: first at `first`, again after the clock went back. Wall times before
        /// `overlapEnd` (a wall time) are in the repeated stretch.
        case twice(first: Int64, overlapEnd: Int64)
        /// Never: the clock skipped the wall times from `gapStart` up to `gapEnd` (wall times).
        case never(gapStart: Int64, gapEnd: Int64)
    }

    let zone: TimeZone

    /// Seconds east of UTC at `instant` (seconds since the epoch).
    func offset(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// What the wall clock shows at `instant`, in wall seconds (see ``CivilTime``).
    func wallSeconds(at instant: Int64) -> Int64 {
        instant + offset(at: instant)
    }

    /// The instants at which the clock shows `wall`. Assumes, as every zone in the tz database
    /// does, no more than one offset change within a day of it.
    func reading(of wall: Int64) -> Reading {
        // Any instant showing `wall` lies within 26 hours of it (offsets stay within −12…+14 h).
        let before = offset(at: wall - 86_400)
        let after = offset(at: wall + 86_400)
        let earlier = wall - max(before, after)
        let later = wall - min(before, after)
        let showsAtEarlier = wallSeconds(at: earlier) == wall
        let showsAtLater = later != earlier && wallSeconds(at: later) == wall
        switch (showsAtEarlier, showsAtLater) {
        case (true, true):
            let change = firstChange(after: earlier, notAfter: later)
            return .twice(first: earlier, overlapEnd: change + offset(at: earlier))
        case (true, false): return .once(earlier)
        case (false, true): return .once(later)
        case (false, false): break
        }
        let jump = firstInstant(showingLaterThan: wall)
        return .never(gapStart: wallSeconds(at: jump - 1) + 1, gapEnd: wallSeconds(at: jump))
    }

    /// The first instant in `(start, end]` whose offset differs from `start`'s (binary search;
    /// `end` if none does).
    func firstChange(after start: Int64, notAfter end: Int64) -> Int64 {
        let initial = offset(at: start)
        var low = start
        var high = end
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == initial { low = middle } else { high = middle }
        }
        return high
    }

    /// The first instant that shows a wall time later than `wall` (binary search over two days
    /// around it; the clock only moves forward there except at one change).
    private func firstInstant(showingLaterThan wall: Int64) -> Int64 {
        var low = wall - 86_400
        var high = wall + 86_400
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if wallSeconds(at: middle) > wall { high = middle } else { low = middle }
        }
        return high
    }
}

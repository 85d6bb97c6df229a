import Foundation

extension Date {
    /// Seconds since the epoch rounded down, held within ±10¹⁵ (far beyond any year a schedule
    /// reaches, so the conversion cannot overflow); `nil` when the date is not a number.
    var wholeSecondsSinceEpoch: Int64? {
        let seconds = timeIntervalSince1970.rounded(.down)
        guard !seconds.isNaN else { return nil }
        return Int64(min(max(seconds, -1e15), 1e15))
    }
}

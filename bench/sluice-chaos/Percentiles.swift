/// Percentiles of a sample, for the figures (nearest rank).
struct Percentiles {
    let sorted: [Double]

    init(_ values: [Double]) {
        sorted = values.sorted()
    }

    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// `median M, p99 N, max X unit` (or `no samples`).
    func text(unit: String) -> String {
        guard let last = sorted.last else { return "no samples" }
        return "median \(Int(percentile(50))), p99 \(Int(percentile(99))), max \(Int(last)) \(unit) (\(sorted.count) samples)"
    }
}

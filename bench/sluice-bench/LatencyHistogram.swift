import Histogram

/// Latencies as an HdrHistogram (microsecond resolution, three significant digits): percentiles
/// read from the histogram, never a mean of the samples.
struct LatencyHistogram {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    init(microseconds samples: [UInt64] = []) {
        for sample in samples { record(microseconds: sample) }
    }

    mutating func record(microseconds value: UInt64) {
        _ = histogram.record(max(1, value))
    }

    mutating func record(_ duration: Duration) {
        record(microseconds: UInt64(max(0, milliseconds(duration) * 1000)))
    }

    var count: UInt64 { histogram.totalCount }

    /// The value at `percentile`, in milliseconds.
    func value(at percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    /// `p50 … p90 … p99 … p99.9 … max … ms (N samples)`.
    var summary: String {
        guard count > 0 else { return "no samples" }
        let points = [50.0, 90, 99, 99.9].map { "p\(format($0, digits: $0 == 99.9 ? 1 : 0)) \(format(value(at: $0), digits: 2))" }
        return points.joined(separator: ", ") + ", max \(format(Double(histogram.max) / 1000, digits: 2)) ms (\(count) samples)"
    }
}

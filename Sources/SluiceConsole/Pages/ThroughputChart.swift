/// The overview's throughput chart as inline SVG, drawn on the server: succeeded (green) and
/// failed (red) jobs per minute, stacked bars, oldest minute on the left. Only numbers and fixed
/// text go into the markup, so nothing in it needs escaping.
enum ThroughputChart {
    static let width = 720
    static let height = 140

    static func svg(_ minutes: [ConsoleOverview.ThroughputMinute]) -> String {
        let top = max(1, minutes.map { $0.succeeded + $0.failed }.max() ?? 1)
        let plot = Double(height - 20)
        let bar = Double(width - 40) / Double(max(1, minutes.count))
        var parts: [String] = [
            ##"<svg class="chart" role="img" aria-label="jobs finished per minute" viewBox="0 0 \##(width) \##(height)" width="100%" height="\##(height)" xmlns="http://www.w3.org/2000/svg">"##,
            ##"<line x1="40" y1="\##(height - 20)" x2="\##(width)" y2="\##(height - 20)" stroke="#c4c9d4"/>"##,
            ##"<text x="0" y="12" font-size="11" fill="#5a6272">\##(top)/min</text>"##,
            ##"<text x="0" y="\##(height - 22)" font-size="11" fill="#5a6272">0</text>"##,
            ##"<text x="40" y="\##(height - 4)" font-size="11" fill="#5a6272">\##(minutes.count) min ago</text>"##,
            ##"<text x="\##(width - 30)" y="\##(height - 4)" font-size="11" fill="#5a6272">now</text>"##,
        ]
        for (index, minute) in minutes.enumerated() {
            let x = 40 + Double(index) * bar
            let good = plot * Double(minute.succeeded) / Double(top)
            let bad = plot * Double(minute.failed) / Double(top)
            let base = Double(height - 20)
            let label = "\(minute.succeeded) succeeded, \(minute.failed) failed"
            if minute.succeeded > 0 {
                parts.append(
                    ##"<rect class="ok" x="\##(format(x))" y="\##(format(base - good))" width="\##(format(max(1, bar - 1)))" height="\##(format(good))" fill="#1f8f4e"><title>\##(label)</title></rect>"##
                )
            }
            if minute.failed > 0 {
                parts.append(
                    ##"<rect class="failed" x="\##(format(x))" y="\##(format(base - good - bad))" width="\##(format(max(1, bar - 1)))" height="\##(format(bad))" fill="#c0392b"><title>\##(label)</title></rect>"##
                )
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private static func format(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }
}

/// What one scenario measured and what it found wrong. A scenario passes when it found nothing
/// wrong; its figures go to docs/reliability.md.
struct ScenarioReport {
    let name: String
    let title: String
    private(set) var figures: [(name: String, value: String)] = []
    private(set) var problems: [String] = []

    init(name: String, title: String) {
        self.name = name
        self.title = title
    }

    var passed: Bool { problems.isEmpty }

    mutating func figure(_ name: String, _ value: String) {
        figures.append((name, value))
    }

    mutating func figure(_ name: String, _ value: Int) {
        figures.append((name, String(value)))
    }

    mutating func problem(_ text: String) {
        problems.append(text)
    }

    mutating func merge(_ audit: JobAudit) {
        for (name, value) in audit.figures { figure(name, value) }
        for text in audit.problems { problem(text) }
    }

    /// The report as printed at the end of a run.
    var text: String {
        var lines = ["== \(name): \(title) — \(passed ? "PASSED" : "FAILED (\(problems.count) problems)")"]
        lines += figures.map { "  \($0.name): \($0.value)" }
        lines += problems.prefix(30).map { "  PROBLEM: \($0)" }
        if problems.count > 30 { lines.append("  ... and \(problems.count - 30) more problems") }
        return lines.joined(separator: "\n")
    }
}

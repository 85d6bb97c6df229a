import ArgumentParser
import Foundation
import SluiceCore
import SluiceExecution
import SluiceFlows
import SluiceWorker

/// Flow expressions: one evaluation in the in-process subset, and one on the worker's JavaScript
/// engine (a warm Deno, in the sandbox) for an expression beyond the subset — median and p99 each.
struct ExpressionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expressions", abstract: "Expression evaluation: the subset and the JavaScript engine.")

    @Option(help: "Evaluations measured on each path.") var samples: Int = 2000

    func run() async throws {
        let runner = ScriptRunner(settings: ScriptRunnerSettings())
        try await runner.prepare()
        defer { runner.shutDown() }
        guard let engine = runner.expressionEngine else { throw CleanExit.message("deno is not installed (make deps)") }
        let subset = JavaScriptSubsetEvaluator()
        let variables: [String: JSONValue?] = [
            "flow_input": ["items": [1, 2, 3, 4, 5], "name": "Ada"], "results": ["a": ["count": 3]], "previous_result": ["ok": true],
        ]
        let subsetSource = "flow_input.items.filter(x => x > 2).map(x => x * results.a.count).join(',')"
        let engineSource = "(() => { const items = flow_input.items.filter(x => x > 2); return items.map(x => x * results.a.count).join(','); })()"
        _ = try engine.evaluate(engineSource, variables: variables, references: [:], steps: [])
        var subsetTimes: [Double] = []
        var engineTimes: [Double] = []
        for _ in 0..<samples {
            let begin = ContinuousClock.now
            _ = try subset.evaluate(subsetSource, variables: variables)
            subsetTimes.append(Double((ContinuousClock.now - begin).components.attoseconds) / 1e12)
            let start = ContinuousClock.now
            _ = try engine.evaluate(engineSource, variables: variables, references: [:], steps: [])
            engineTimes.append(Double((ContinuousClock.now - start).components.attoseconds) / 1e12)
        }
        let (a, b) = (Summary(subsetTimes), Summary(engineTimes))
        print("flow expressions, \(samples) evaluations each, alternately:")
        print("  in-process subset:           median \(format(a.median, digits: 1)) µs, p99 \(format(a.percentile(99), digits: 1)) µs")
        print("  JavaScript engine (warm Deno): median \(format(b.median, digits: 1)) µs, p99 \(format(b.percentile(99), digits: 1)) µs")
    }
}

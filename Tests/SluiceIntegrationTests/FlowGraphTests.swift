import Foundation
import SluiceCore
import SluiceFlows
import Testing

@testable import SluiceConsole

/// The flow graph's pure part: what a run's definition and steps become, and the SVG's escaping.
@Suite("Flow graph layout")
struct FlowGraphTests {
    static let flow = """
        summary: Shapes
        value:
          modules:
            - id: fan
              value:
                type: forloopflow
                iterator: {type: javascript, expr: '[1]'}
                modules:
                  - id: each
                    value: {type: identity}
            - id: both
              value:
                type: branchall
                branches:
                  - summary: left
                    modules:
                      - id: l
                        value: {type: identity}
                  - summary: right
                    modules:
                      - id: r
                        value: {type: identity}
            - id: again
              summary: "<b>&'\\"</b>"
              value:
                type: whileloopflow
                modules:
                  - id: poll
                    value: {type: identity}
          failure_module:
            id: failure
            value: {type: identity}
        """

    static func step(_ module: String, _ frame: String, _ cursor: Int, _ state: JobState = .success, at: UInt64 = 1) -> JobDetail.Step {
        JobDetail.Step(
            id: JobID(milliseconds: at), module: module, type: "identity", frame: frame, cursor: cursor, state: state, startedAt: 10, finishedAt: 30,
            subflow: nil)
    }

    static func definition() throws -> FlowDefinition {
        try FlowParser().parse(flow).definition
    }

    @Test("a loop shows its first 12 iterations and counts the rest; a module not reached shows its body once, dimmed")
    func loops() throws {
        var steps = [Self.step("fan", "r", 0)]
        for iteration in 0..<15 { steps.append(Self.step("each", "r.0.\(iteration)", 0, at: 2 + UInt64(iteration))) }
        let graph = FlowGraph(definition: try Self.definition(), steps: steps, gates: [])
        let fan = graph.nodes[0]
        #expect(fan.columns.count == 12)
        #expect(fan.hiddenIterations == 3)
        #expect(fan.columns.map(\.iteration) == Array(0..<12))
        #expect(fan.columns.allSatisfy { $0.nodes.first?.step?.state == .success && !$0.nodes[0].dimmed })
        let again = graph.nodes[2]
        #expect(again.dimmed)
        #expect(again.columns.count == 1)
        #expect(again.columns[0].label == "each iteration")
        #expect(again.columns[0].nodes.allSatisfy { $0.dimmed })
        #expect(graph.failure.isEmpty)
    }

    @Test("branchall draws every branch, taken where its frame ran; a retried module shows its latest step; the failure module once it ran")
    func branchesRetriesFailure() throws {
        let steps = [
            Self.step("both", "r", 1), Self.step("l", "r.1.0", 0, .failure, at: 5), Self.step("l", "r.1.0", 0, .success, at: 6),
            Self.step("failure", "f", 0, at: 7),
        ]
        let graph = FlowGraph(definition: try Self.definition(), steps: steps, gates: [])
        let both = graph.nodes[1]
        #expect(both.columns.map(\.label) == ["left", "right"])
        #expect(both.columns.map(\.taken) == [true, false])
        #expect(both.columns[0].nodes[0].step?.state == .success)
        #expect(both.columns[1].nodes[0].dimmed)
        #expect(graph.failure.map(\.moduleID) == ["failure"])
    }

    @Test("the SVG escapes every text it draws")
    func escaping() throws {
        let svg = FlowGraphSVG.svg(FlowGraph(definition: try Self.definition(), steps: [], gates: []), now: 0)
        #expect(svg.contains("again · &lt;b&gt;&amp;&#39;&quot;&lt;/b&gt;"))
        #expect(!svg.contains("<b>"))
    }
}

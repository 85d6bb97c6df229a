import SluiceCore
import SluiceFlows
import Testing

/// Where Sluice once differed from Windmill on the meaning of a field: the gate that
/// `suspend` asks for, a branchall's default, `flow_env`, nested loops' `iter_parent`.
@Suite("Windmill's meaning of OpenFlow fields")
struct WindmillSemanticsTests {
    let evaluator = JavaScriptSubsetEvaluator()

    func parsed(_ yaml: String) throws -> ParsedFlow {
        try FlowParser().parse(yaml)
    }

    @Test("suspend asks for a gate only when required_events is above 0; suspend: {} is no gate, with a warning")
    func suspendNeedsRequiredEvents() throws {
        for suspend in ["{}", "{timeout: 600}", "{required_events: 0}"] {
            let flow = try parsed("value:\n  modules:\n    - id: a\n      value: {type: identity}\n      suspend: \(suspend)\n")
            #expect(flow.definition.modules[0].suspend == nil, "\(suspend)")
            #expect(flow.warnings.contains { $0.contains("value.modules[0].suspend: no gate") }, "\(flow.warnings)")
        }
        let gated = try parsed("value:\n  modules:\n    - id: a\n      value: {type: identity}\n      suspend: {required_events: 1}\n")
        #expect(gated.definition.modules[0].suspend?.requiredEvents == 1)
        // A suspend that asks for nothing is no gate on a container either: nothing to refuse.
        let loop = try parsed(
            "value:\n  modules:\n    - id: l\n      value: {type: forloopflow, iterator: {type: static, value: []}, modules: []}\n      suspend: {}\n"
        )
        #expect(loop.definition.modules[0].suspend == nil)
    }

    @Test("a branchall without 'parallel' runs its branches at once, as Windmill's does; parallel: false keeps them in order")
    func branchAllDefault() throws {
        let flow = try parsed("value:\n  modules:\n    - id: b\n      value: {type: branchall, branches: [{modules: []}]}\n")
        guard case .branchAll(let branches) = flow.definition.modules[0].value else { Issue.record("not a branchall"); return }
        #expect(branches.parallel)
        let ordered = try parsed("value:\n  modules:\n    - id: b\n      value: {type: branchall, parallel: false, branches: [{modules: []}]}\n")
        guard case .branchAll(let sequential) = ordered.definition.modules[0].value else { Issue.record("not a branchall"); return }
        #expect(!sequential.parallel)
    }

    @Test("flow_env values are read by expressions as flow_env.NAME")
    func flowEnvironment() throws {
        let flow = try parsed(
            """
            value:
              flow_env: {REGION: eu-west-1, RETRIES: 3}
              modules:
                - id: a
                  value:
                    type: rawscript
                    language: bash
                    content: echo
                    input_transforms:
                      where: {type: javascript, expr: '`${flow_env.REGION}/${flow_env.RETRIES}`'}
            """)
        #expect(!flow.warnings.contains { $0.contains("flow_env") }, "\(flow.warnings)")
        let stepper = FlowStepper(definition: flow.definition, evaluator: evaluator)
        guard case .run(let invocation) = stepper.start(frame: .main, cursor: 0, scope: StepScope(flowInput: [:])) else {
            Issue.record("expected a run")
            return
        }
        #expect(invocation.arguments == ["where": "eu-west-1/3"])
    }

    @Test("nested loops: iter is the innermost iteration, iter_parent the enclosing one, and so on up, as Windmill builds flow_input")
    func iterParent() {
        var scope = StepScope(flowInput: ["name": "x"])
        scope.iteration = .init(index: 2, value: "inner")
        scope.enclosingIterations = [.init(index: 1, value: "middle"), .init(index: 0, value: "outer")]
        #expect(
            scope.inputWithIteration == [
                "name": "x", "iter": ["value": "inner", "index": 2], "iter_parent": ["value": "middle", "index": 1],
                "iter_parent_parent": ["value": "outer", "index": 0],
            ])
        // An input field already called iter moves up too, as Windmill's insert_iter_arg does.
        var shadowed = StepScope(flowInput: ["iter": "mine"])
        shadowed.iteration = .init(index: 0, value: 1)
        #expect(shadowed.inputWithIteration == ["iter": ["value": 1, "index": 0], "iter_parent": "mine"])
    }

    @Test("fields Sluice does not honour say what Windmill would have done: early_return, skip_expr, delete_after_use")
    func honestWarnings() throws {
        let flow = try parsed(
            """
            value:
              early_return: a
              skip_expr: 'flow_input.skip'
              modules:
                - id: a
                  value: {type: identity}
                  delete_after_use: true
            """)
        #expect(flow.warnings.contains { $0.contains("early_return") && $0.contains("final result") })
        #expect(flow.warnings.contains { $0.contains("skip_expr") && $0.contains("always runs") })
        #expect(flow.warnings.contains { $0.contains("delete_after_use") && $0.contains("expire") })
    }
}

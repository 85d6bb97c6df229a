import SluiceCore
import SluiceExpressions
import Testing

@Suite("Expressions as Windmill users write them")
struct WindmillExpressionTests {
    @Test("the legacy windmill@1-1 prologue is dropped; an empty expression is null; a whole $res:/$var: expression is that reference")
    func specialForms() throws {
        let prologue = "import { previous_result, flow_input, step, variable, resource, params } from 'windmill@1-1'\n\nflow_input.name"
        guard case .subset(let expression) = try WindmillExpression(prologue) else {
            Issue.record("the prologue should leave a subset expression")
            return
        }
        #expect(try expression.evaluate(["flow_input": ["name": "Ada"]]) == "Ada")
        guard case .empty = try WindmillExpression("  \n ") else {
            Issue.record("an empty expression is empty")
            return
        }
        guard case .reference(let reference) = try WindmillExpression("$res:f/ops/db") else {
            Issue.record("a whole $res: expression is a reference")
            return
        }
        #expect(reference == Reference(.resource, "f/ops/db"))
    }

    @Test(
        "the legacy step(i) in the subset: the i-th of the module ids the flow passes (those before the current one), counted back when negative; any other index is undefined",
        arguments: [
            ("step(0)", JSONValue("a")), ("step(1)", "b"), ("step(-1)", "b"), ("step(-2)", "a"), ("step(2) ?? 'none'", "none"),
            ("step(-3) ?? 'none'", "none"), ("step(0.5) ?? 'none'", "none"), ("step('x') ?? 'none'", "none"),
        ])
    func legacyStep(source: String, expected: JSONValue) throws {
        guard case .subset(let expression) = try WindmillExpression(source) else {
            Issue.record("\(source) should be within the subset")
            return
        }
        #expect(expression.namesStep)
        let variables: [String: JSONValue?] = [WindmillExpression.stepsVariable: ["a", "b"], "results": ["a": "a", "b": "b", "c": "c"]]
        #expect(try expression.evaluate(variables) == expected)
    }

    @Test(
        "what the subset does not cover goes to the JavaScript engine, its literal references found",
        arguments: [
            "(() => { const a = flow_input.x; return a ?? []; })()",
            "const key = variable('f/ops/token');\nreturn `Bearer ${key}`",
            "new Date(flow_input.at).toISOString()",
            "flow_input.items.map(i => { return i * 2; })",
        ])
    func engine(source: String) throws {
        guard case .engine(let code, let references) = try WindmillExpression(source) else {
            Issue.record("\(source) should need the engine")
            return
        }
        #expect(code == source)
        if source.contains("variable(") { #expect(references == [Reference(.variable, "f/ops/token")]) }
    }
}

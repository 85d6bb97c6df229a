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

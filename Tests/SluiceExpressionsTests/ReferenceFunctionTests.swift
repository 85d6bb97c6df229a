import SluiceCore
import SluiceExpressions
import Testing

@Suite("variable() and resource() in expressions")
struct ReferenceFunctionTests {
    @Test("literal paths are found before evaluation; arrow parameters named variable are not calls of it")
    func references() throws {
        let expression = try Expression("`Bearer ${variable('f/x/token')}` + resource('f/x/db').host + [1].map(variable => variable)")
        #expect(expression.references == [Reference(.variable, "f/x/token"), Reference(.resource, "f/x/db")])
        #expect(expression.dynamicReference == nil)
        #expect(expression.freeVariables.isEmpty)
    }

    @Test("a computed path is reported with its position")
    func dynamic() throws {
        let expression = try Expression("variable(flow_input.name)")
        #expect(expression.dynamicReference?.name == "variable")
        #expect(expression.dynamicReference?.position == 8)
    }

    @Test("evaluation answers from the resolved references, and a failure is a reference error naming it")
    func evaluation() throws {
        let resolved: [Reference: ResolvedReference] = [
            Reference(.variable, "f/x/token"): .value("t0k"), Reference(.resource, "f/x/db"): .value(["host": "db.internal", "port": 5432]),
            Reference(.variable, "f/x/missing"): .failure("variable 'f/x/missing' does not exist"),
        ]
        let value = try Expression("`${variable('f/x/token')}@${resource('f/x/db').host}:${resource('f/x/db').port}`").evaluate(
            [:], references: resolved)
        #expect(value == "t0k@db.internal:5432")
        do {
            _ = try Expression("variable('f/x/missing')").evaluate([:], references: resolved)
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .reference)
            #expect(error.message == "variable 'f/x/missing' does not exist")
        }
        do {
            _ = try Expression("variable('f/x/other')").evaluate([:], references: resolved)
            Issue.record("expected a failure")
        } catch {
            #expect(error.message.contains("string literal"), "\(error)")
        }
    }
}

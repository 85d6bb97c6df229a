import SluiceCore
import SluiceExpressions
import Testing

@Suite("Expressions outside the subset fail clearly")
struct ExpressionErrorTests {
    @Test(
        "unsupported constructs are named, with their position, at parse time",
        arguments: [
            ("x = 1", "assignment", 2),
            ("a.b += 1", "assignment", 4),
            ("i++", "increment", 1),
            ("new Date()", "'new'", 0),
            ("function () { return 1 }", "function expressions", 0),
            ("this.x", "'this'", 0),
            ("/ab+c/.test(s)", "regular expressions", 0),
            ("a, b", "comma operator", 1),
            ("a in b", "'in'", 2),
            ("a | b", "bitwise", 2),
            ("x.constructor", "constructor", 2),
            ("x.__proto__", "__proto__", 2),
            ("(x) => { return x }", "block body", 7),
            ("[1,,2]", "array holes", 3),
            ("({a}) => a", "destructuring", 1),
            ("eval('1')", "'eval'", 0),
            ("1; 2", "statements", 1),
            ("f`x`", "tagged templates", 1),
            ("10n", "BigInt", 2),
        ])
    func unsupported(source: String, fragment: String, position: Int) {
        do {
            _ = try Expression(source)
            Issue.record("expected \(source) to be refused")
        } catch {
            #expect(error.kind == .unsupported)
            #expect(error.message.contains(fragment), "\(error.message)")
            #expect(error.position == position, "\(source): \(error)")
        }
    }

    @Test("syntax errors", arguments: ["1 +", "(1", "{a: }", "'open", "`${", "a ?? b || c", "-2 ** 2", "a..b", "@x", ")"])
    func syntax(source: String) {
        #expect(throws: ExpressionError.self) { try Expression(source) }
    }

    @Test("runtime errors: reference, type, unsupported method — never a crash")
    func runtime() throws {
        let variables: [String: JSONValue?] = ["flow_input": ["a": 1], "nothing": nil]
        func failure(_ source: String) -> ExpressionError? {
            do {
                _ = try Expression(source).evaluate(variables)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("missing")?.kind == .reference)
        #expect(failure("missing")?.message == "missing is not defined")
        #expect(failure("flow_input.b.c")?.kind == .type)
        #expect(failure("flow_input.b.c")?.message == "Cannot read properties of undefined (reading 'c')")
        #expect(failure("nothing.x")?.kind == .type)
        #expect(failure("flow_input.a()")?.message == "a is not a function")
        #expect(failure("'x'.match('x')")?.kind == .unsupported)
        #expect(failure("[].reduce((a, b) => a)")?.message == "Reduce of empty array with no initial value")
        #expect(failure("JSON.parse('{')")?.kind == .type)
        #expect(failure("flow_input['constructor']")?.kind == .unsupported)
        #expect(failure("flow_input.a.toFixed(200)")?.kind == .type)
    }

    @Test("undefined and null at the boundary")
    func undefinedAndNull() throws {
        #expect(try Expression("undefined").evaluate([:]) == nil)
        #expect(try Expression("null").evaluate([:]) == .null)
        #expect(try Expression("x").evaluate(["x": nil]) == nil)
        #expect(try Expression("({a: undefined, b: null})").evaluate([:]) == ["b": nil])
        #expect(try Expression("[undefined, 1]").evaluate([:]) == [nil, 1])
        #expect(try Expression("0 / 0").evaluate([:]) == .null)
    }

    @Test("free variables exclude arrow parameters and globals")
    func freeVariables() throws {
        let expression = try Expression("results.a.map(x => x.id + flow_input.offset).concat(Math.max(...resumes))")
        #expect(expression.freeVariables == ["results", "flow_input", "resumes"])
    }
}

@Suite("Evaluation is bounded")
struct ExpressionLimitTests {
    func kind(_ source: String, limits: EvaluationLimits = .default) -> ExpressionError.Kind? {
        do {
            _ = try Expression(source).evaluate(["big": .array(Array(repeating: 1, count: 5000))], limits: limits)
            return nil
        } catch {
            return error.kind
        }
    }

    static let hugeSources: [String: String] = [
        "member chain": "a" + String(repeating: ".b", count: 100_000),
        "sum": "1" + String(repeating: " + 1", count: 100_000),
        "unary minus": String(repeating: "-", count: 100_000) + "1",
        "negation": String(repeating: "!", count: 100_000) + "x",
        "nullish chain": "x" + String(repeating: " ?? x", count: 100_000),
        "calls": "f" + String(repeating: "()", count: 100_000),
        "open brackets": String(repeating: "[", count: 100_000),
        "nested templates": String(repeating: "`${", count: 10_000) + "1" + String(repeating: "}`", count: 10_000),
        "ternaries": String(repeating: "a ? b : ", count: 100_000) + "c",
    ]

    @Test("huge inputs are refused, never a crash: long chains, deep nesting, many tokens", arguments: hugeSources.keys.sorted())
    func hugeInputs(label: String) throws {
        let source = try #require(Self.hugeSources[label])
        #expect(throws: ExpressionError.self) { try Expression(source).evaluate(["a": ["b": 1], "x": 1, "b": 1, "c": 1]) }
    }

    @Test("step, size and depth limits stop runaway work")
    func limits() {
        #expect(kind("'x'.repeat(1e9)") == .limit)
        #expect(kind("'ab'.padStart(1e12)") == .limit)
        #expect(kind("big.map(a => big.map(b => a + b))") == .limit)
        #expect(kind("big.reduce((acc, x) => acc.concat(big), [])") == .limit)
        #expect(kind("big.map(x => big).flat().flat()", limits: EvaluationLimits(maxValueSize: 100_000)) == .limit)
        #expect(kind("big.map(x => x).length") == nil)
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(kind(deep) == .limit)
        let deepArrows = String(repeating: "[", count: 150) + "1" + String(repeating: "]", count: 150)
        #expect(kind(deepArrows, limits: EvaluationLimits(maxDepth: 100)) == .limit)
    }
}

@Suite("Evaluation is bounded in memory and time")
struct ExpressionBudgetTests {
    func failure(_ source: String, limits: EvaluationLimits = .default) -> ExpressionError? {
        do {
            _ = try Expression(source).evaluate([:], limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test("what an evaluation builds is counted: copies of a million-element array stop at the allocation limit")
    func memory() throws {
        // Each copy is a million elements (under the size limit), and only a few steps.
        let copies = "((a) => [1, 2, 3, 4, 5, 6, 7, 8].map(() => a.slice()))('x'.repeat(1e6).split(''))"
        let error = try #require(failure(copies))
        #expect(error.kind == .limit)
        #expect(error.message.contains("MiB of values"), "\(error.message)")
        #expect(failure("((a) => a.slice().length)('x'.repeat(1e5).split(''))") == nil)
    }

    @Test("a slow evaluation stops at the time limit, well within the step limit")
    func time() throws {
        // 20,000 callbacks (under 100,000 steps), each scanning a megabyte: seconds of work.
        let slow = "((big) => 'x'.repeat(20000).split('').map(c => big.includes('y')).length)('x'.repeat(1e6))"
        let started = ContinuousClock.now
        let error = try #require(failure(slow, limits: EvaluationLimits(maxDuration: .milliseconds(300))))
        let elapsed = ContinuousClock.now - started
        #expect(error.kind == .limit)
        #expect(error.message.contains("ran longer than"), "\(error.message)")
        #expect(elapsed < .seconds(3), "stopped after \(elapsed)")
    }
}

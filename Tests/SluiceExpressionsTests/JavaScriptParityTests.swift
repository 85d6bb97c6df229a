import SluiceCore
import SluiceExpressions
import Testing

/// Expressions and the values Node.js 20 gives for them (computed with `node` when the table was
/// written: `JSON.stringify` of the result, or `undefined`), evaluated with the same variables.
@Suite("Expressions evaluate as JavaScript does")
struct JavaScriptParityTests {
    static let variables: [String: JSONValue?] = {
        guard
            let members =
                (try? JSONValue(
                    parsing: """
                        {"flow_input": {"name": "Ada", "count": 5, "flag": false, "user": null, "nested": null},
                         "results": {"a": {"items": [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}, {"id": 3, "name": "three"}]}},
                         "resume": {"error": {"name": "SuspendedTimedOut", "message": "Timed out waiting to be resumed"}},
                         "approvers": ["alice", "bob"]}
                        """))?.memberList
        else { return [:] }
        var variables: [String: JSONValue?] = [:]
        for (key, value) in members { variables[key] = value }
        return variables
    }()

    static let cases: [(String, String)] = [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("2 ** 3 ** 2", "512"),
        ("7 % 3", "1"),
        ("-7 % 3", "-1"),
        ("1 / 0", "null"),
        ("0.1 + 0.2", "0.30000000000000004"),
        ("\"a\" + 1", "\"a1\""),
        ("1 + \"2\"", "\"12\""),
        ("\"3\" * \"4\"", "12"),
        ("[1, 2] + \"\"", "\"1,2\""),
        ("({}) + \"\"", "\"[object Object]\""),
        ("true + 1", "2"),
        ("null + 1", "1"),
        ("undefined + 1", "null"),
        ("\"b\" > \"a\"", "true"),
        ("\"10\" < \"9\"", "true"),
        ("10 < 9", "false"),
        ("\"10\" < 9", "false"),
        ("null == undefined", "true"),
        ("null === undefined", "false"),
        ("0 == \"\"", "true"),
        ("\"1\" == 1", "true"),
        ("NaN === NaN", "false"),
        ("[1,2,3].includes(2)", "true"),
        ("[NaN].includes(NaN)", "true"),
        ("[NaN].indexOf(NaN)", "-1"),
        ("flow_input.name", "\"Ada\""),
        ("flow_input.missing", "undefined"),
        ("flow_input.missing ?? \"default\"", "\"default\""),
        ("flow_input.user?.name", "undefined"),
        ("flow_input.user?.name.first", "undefined"),
        ("flow_input.nested?.a.b", "undefined"),
        ("results.a.items.map(x => x.id).join(\",\")", "\"1,2,3\""),
        ("results.a.items.filter(x => x.id > 1).length", "2"),
        ("results.a.items.find(x => x.id === 2).name", "\"two\""),
        ("results.a.items.findIndex(x => x.id === 9)", "-1"),
        ("results.a.items.some(x => x.id > 2)", "true"),
        ("results.a.items.every(x => x.id > 0)", "true"),
        ("results.a.items.reduce((acc, x) => acc + x.id, 0)", "6"),
        ("[1,2,3].reduce((a, b) => a * b)", "6"),
        ("`Hello ${flow_input.user ?? \"anon\"}!`", "\"Hello anon!\""),
        ("`${1 + 1} and ${\"x\".toUpperCase()}`", "\"2 and X\""),
        ("resume?.error?.name === \"SuspendedTimedOut\"", "true"),
        ("approvers.length >= 2", "true"),
        ("flow_input.count > 3 ? \"many\" : \"few\"", "\"many\""),
        ("!flow_input.flag", "true"),
        ("!!flow_input.name", "true"),
        ("typeof flow_input.name", "\"string\""),
        ("typeof undefinedVar", "\"undefined\""),
        ("typeof null", "\"object\""),
        ("typeof [1]", "\"object\""),
        ("[...[1, 2], 3, ...[4]]", "[1,2,3,4]"),
        ("({...flow_input, extra: true})", "{\"name\":\"Ada\",\"count\":5,\"flag\":false,\"user\":null,\"nested\":null,\"extra\":true}"),
        ("({a: 1, \"b-c\": 2, [flow_input.name]: 3})", "{\"a\":1,\"b-c\":2,\"Ada\":3}"),
        ("\" Ada \".trim().toLowerCase()", "\"ada\""),
        ("\"a,b,,c\".split(\",\")", "[\"a\",\"b\",\"\",\"c\"]"),
        ("\"abc\".split(\"\")", "[\"a\",\"b\",\"c\"]"),
        ("\"a-b-c\".split(\"-\", 2)", "[\"a\",\"b\"]"),
        ("\"hello\".slice(1, -1)", "\"ell\""),
        ("\"hello\".substring(3, 1)", "\"el\""),
        ("\"hello\".padStart(8, \"*\")", "\"***hello\""),
        ("\"ab\".repeat(3)", "\"ababab\""),
        ("\"aXbXc\".replace(\"X\", \"-\")", "\"a-bXc\""),
        ("\"aXbXc\".replaceAll(\"X\", \"-\")", "\"a-b-c\""),
        ("\"hello\".at(-1)", "\"o\""),
        ("\"hello\".startsWith(\"he\")", "true"),
        ("\"hello\".indexOf(\"l\")", "2"),
        ("JSON.stringify({a: [1, {b: null}], c: undefined})", "\"{\\\"a\\\":[1,{\\\"b\\\":null}]}\""),
        ("JSON.stringify([undefined, () => 1])", "\"[null,null]\""),
        ("JSON.stringify({a: 1, b: [2]}, null, 2)", "\"{\\n  \\\"a\\\": 1,\\n  \\\"b\\\": [\\n    2\\n  ]\\n}\""),
        ("JSON.parse('{\"x\": [1, 2]}').x[1]", "2"),
        ("Math.max(1, 5, 3)", "5"),
        ("Math.min()", "null"),
        ("Math.round(2.5)", "3"),
        ("Math.round(-2.5)", "-2"),
        ("Math.floor(-1.5)", "-2"),
        ("Object.keys({b: 1, a: 2})", "[\"b\",\"a\"]"),
        ("Object.values({b: 1, a: 2})", "[1,2]"),
        ("Object.entries({a: 1})", "[[\"a\",1]]"),
        ("Array.isArray([])", "true"),
        ("String(12.5)", "\"12.5\""),
        ("Number(\"  42 \")", "42"),
        ("Number(\"4x\")", "null"),
        ("parseInt(\"42px\")", "42"),
        ("parseInt(\"ff\", 16)", "255"),
        ("parseFloat(\"3.14abc\")", "3.14"),
        ("(1.005).toFixed(2)", "\"1.00\""),
        ("(12.3456).toFixed(1)", "\"12.3\""),
        ("(255).toString(16)", "\"ff\""),
        ("[3, 1, 10, 2].sort()", "[1,10,2,3]"),
        ("[3, 1, 10, 2].sort((a, b) => a - b)", "[1,2,3,10]"),
        ("[1, [2, [3]]].flat()", "[1,2,[3]]"),
        ("[1, 2, 3].slice(-2)", "[2,3]"),
        ("[1, 2, 3].at(-1)", "3"),
        ("[1, 2].concat([3], 4)", "[1,2,3,4]"),
        ("1e21 + 1", "1e+21"),
        ("123456789 * 1000", "123456789000"),
        ("0.000001 / 10", "1e-7"),
        ("[1, 2, 3].map((x, i) => x * i)", "[0,2,6]"),
        ("results.a.items.length", "3"),
        ("flow_input.name.length", "3"),
        ("[].length === 0 && \"empty\"", "\"empty\""),
        ("0 || null || \"last\"", "\"last\""),
        ("1 && 2 && 3", "3"),
        ("null ?? 0 ?? 5", "0"),
    ]

    @Test("each construct gives the value JavaScript gives", arguments: cases)
    func parity(source: String, expected: String) throws {
        let expression = try Expression(source)
        let value = try expression.evaluate(Self.variables)
        #expect((value?.jsonText ?? "undefined") == expected, "\(source)")
    }
}

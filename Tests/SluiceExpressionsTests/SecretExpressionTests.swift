import SluiceCore
import SluiceExpressions
import Testing

/// A secret read in an expression may be passed on as it is, never looked into.
@Suite("Secrets in expressions stay whole")
struct SecretExpressionTests {
    static let secret = "sk_live_51Hq"
    static let references: [Reference: ResolvedReference] = [
        Reference(.variable, "f/x/key"): .value(.string(secret)),
        Reference(.resource, "f/x/db"): .value(["host": "db.internal", "password": .string(secret), "port": 5432]),
    ]

    func evaluate(_ source: String) throws(ExpressionError) -> JSONValue? {
        try Expression(source).evaluate(["flow_input": ["n": 2]], references: Self.references, secrets: [Self.secret])
    }

    static let passedOnCases: [(String, JSONValue)] = [
        ("variable('f/x/key')", .string(secret)),
        ("`Bearer ${variable('f/x/key')}`", .string("Bearer " + secret)),
        ("'Bearer ' + variable('f/x/key') + 1", .string("Bearer " + secret + "1")),
        ("[variable('f/x/key'), flow_input.n]", [.string(secret), 2]),
        ("({auth: {token: variable('f/x/key')}, n: flow_input.n * 2})", ["auth": ["token": .string(secret)], "n": 4]),
        ("resource('f/x/db').password", .string(secret)),
        ("resource('f/x/db')?.password ?? 'none'", .string(secret)),
        ("resource('f/x/db').port + 1", 5433),
        ("resource('f/x/db') ? 'yes' : 'no'", "yes"),
        ("typeof variable('f/x/key')", "string"),
        ("(k => ({key: k}))(variable('f/x/key'))", ["key": .string(secret)]),
        ("{...resource('f/x/db'), host: 'other'}", ["host": "other", "password": .string(secret), "port": 5432]),
    ]

    @Test(
        "passing a secret on — alone, in a string, an array or an object, read back by member — keeps it verbatim",
        arguments: passedOnCases)
    func passedOn(source: String, expected: JSONValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test(
        "anything that looks into a secret is refused, naming the operation",
        arguments: [
            ("variable('f/x/key').split('').reverse().join('')", "the method 'split'"),
            ("variable('f/x/key').length", "reading 'length'"),
            ("variable('f/x/key')[0]", "indexing"),
            ("variable('f/x/key').charCodeAt(0)", "the method 'charCodeAt'"),
            ("variable('f/x/key') === 'x'", "the operator '==='"),
            ("variable('f/x/key') < 'm'", "the operator '<'"),
            ("variable('f/x/key') - 1", "the operator '-'"),
            ("!variable('f/x/key')", "the operator '!'"),
            ("variable('f/x/key') ? 1 : 2", "testing its truth"),
            ("variable('f/x/key') && 1", "testing its truth"),
            ("JSON.stringify(resource('f/x/db'))", "JSON.stringify()"),
            ("Object.keys({[variable('f/x/key')]: 1})", "a computed property name"),
            ("({a: 1})[variable('f/x/key')]", "a computed member name"),
            ("[...variable('f/x/key')]", "spreading"),
            ("'abc'.includes(variable('f/x/key'))", "the method 'includes'"),
            ("[resource('f/x/db')].map(d => d.password.length)", "the method 'map'"),
            ("[1].map(() => variable('f/x/key').length)", "reading 'length'"),
            ("parseInt(variable('f/x/key'))", "parseInt()"),
            ("String(variable('f/x/key')).slice(1)", "String()"),
        ])
    func refused(source: String, operation: String) {
        do {
            let value = try evaluate(source)
            Issue.record("\(source) gave \(String(describing: value))")
        } catch {
            #expect(error.kind == .secret, "\(error)")
            #expect(error.message.hasPrefix(operation + " would look into a secret value"), "\(error.message)")
        }
    }

    @Test("without secrets the same operations work on the same values")
    func plainValues() throws {
        let value = try Expression("variable('f/x/key').split('').reverse().join('')").evaluate([:], references: Self.references)
        #expect(value == .string(String(Self.secret.reversed())))
    }
}

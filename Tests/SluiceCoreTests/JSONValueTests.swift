import SluiceCore
import Testing

@Suite("JSONValue parsing and writing")
struct JSONValueTests {
    @Test(
        "round trips keep values and key order",
        arguments: [
            #"{"b":1,"a":[true,false,null],"c":{"z":"x","y":-1.5}}"#,
            #"[]"#,
            #"{}"#,
            #""é \" \\ \n \t \u0001""#,
            #"[1,2.5,-0.125,1e-7,1e+21,123456789012]"#,
        ])
    func roundTrip(text: String) throws {
        let value = try JSONValue(parsing: text)
        let again = try JSONValue(parsing: value.jsonText)
        #expect(again == value)
    }

    @Test("numbers are written as JavaScript writes them")
    func numbers() throws {
        #expect(JSONValue.number(3).jsonText == "3")
        #expect(JSONValue.number(-0.0).jsonText == "0")
        #expect(JSONValue.number(0.1 + 0.2).jsonText == "0.30000000000000004")
        #expect(JSONValue.number(1e-7).jsonText == "1e-7")
        #expect(JSONValue.number(1e21).jsonText == "1e+21")
        #expect(JSONValue.number(.nan).jsonText == "null")
        #expect(JSONValue.number(.infinity).jsonText == "null")
    }

    @Test("keys keep their insertion order")
    func order() throws {
        let value = try JSONValue(parsing: #"{"zeta":1,"alpha":2,"mid":3}"#)
        #expect(value.jsonText == #"{"zeta":1,"alpha":2,"mid":3}"#)
    }

    @Test("escapes and surrogate pairs decode")
    func escapes() throws {
        let value = try JSONValue(parsing: #""a\u00e9\ud83d\ude00\/""#)
        #expect(value == .string("aé😀/"))
        #expect(JSONValue.string("line\nbreak\u{1}").jsonText == #""line\nbreak\u0001""#)
    }

    @Test("a long text with every character that needs escaping is written as JavaScript writes it and read back the same")
    func longEscapedText() throws {
        var text = ""
        for scalar in (0..<0x20).compactMap(Unicode.Scalar.init) { text.unicodeScalars.append(scalar) }
        text += #"plain "quoted" back\slash / é 😀 "#
        let long = String(repeating: text, count: 200)
        // What JSON.stringify writes: the short escapes, other control characters as \u00xx.
        var expected = "\""
        for scalar in long.unicodeScalars {
            switch scalar {
            case "\"": expected += #"\""#
            case "\\": expected += #"\\"#
            case "\n": expected += #"\n"#
            case "\r": expected += #"\r"#
            case "\t": expected += #"\t"#
            case "\u{08}": expected += #"\b"#
            case "\u{0C}": expected += #"\f"#
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    expected += #"\u"# + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    expected.unicodeScalars.append(scalar)
                }
            }
        }
        expected += "\""
        let written = JSONValue.string(long).jsonText
        #expect(written == expected)
        #expect(try JSONValue(parsing: written) == .string(long))
        let nested: JSONValue = ["a": [.string(long), ["b": .string(long)]]]
        #expect(try JSONValue(parsing: nested.jsonText) == nested)
        #expect(try JSONValue(parsing: nested.prettyJSONText) == nested)
    }

    @Test(
        "malformed input is a clear error, never a crash",
        arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "\"\\x\"", "\"unterminated", "[1] 2", "{\"a\":1,}", "\u{0}", "-", "\"\u{1}\""])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("a number beyond a double's range is refused, not read as infinity (then stored as null); found by make fuzz")
    func outOfRange() throws {
        for text in ["1e400", "-1e3028", #"{"a": [1, 2.5, -1e3028]}"#, String(repeating: "9", count: 400)] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        }
        let error = try #require(#expect(throws: JSONParseError.self) { try JSONValue(parsing: "[1, 1e999]") })
        #expect(error.offset == 4)
        #expect(error.reason.contains("out of range"))
        #expect(try JSONValue(parsing: "1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
        #expect(try JSONValue(parsing: "1e-400") == .number(0))
    }

    @Test("nesting deeper than the limit is refused")
    func depth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }

    @Test("pretty printing indents by two spaces")
    func pretty() throws {
        let value: JSONValue = ["a": [1, 2], "b": [:]]
        #expect(value.prettyJSONText == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }
}

@Suite("Job ids, states, paths")
struct JobIdentityTests {
    @Test("ids sort by creation time and encode it")
    func sortable() {
        let earlier = JobID(milliseconds: 1_700_000_000_000)
        let later = JobID(milliseconds: 1_700_000_000_001)
        #expect(earlier < later)
        #expect(earlier.rawValue.count == 26)
        #expect(earlier.milliseconds == 1_700_000_000_000)
        #expect(JobID(earlier.rawValue) == earlier)
    }

    @Test("the 16 random characters of an id each vary: 80 random bits, none fixed or repeated from the time")
    func randomPart() {
        let ids = (0..<4000).map { _ in JobID(milliseconds: 1_700_000_000_000).rawValue }
        #expect(Set(ids).count == ids.count)
        for position in 10..<26 {
            let seen = Set(ids.map { Array($0.utf8)[position] })
            #expect(seen.count == 32, "position \(position) took \(seen.count) of 32 characters")
        }
    }

    @Test(
        "ids from text are checked",
        arguments: ["", "short", "01M87KDT4RZSG064RK5HFGRJ6DX", "01M87KDT4RZSG064RK5HFGRJ6U", "01m87kdt4rzsg064rk5hfgrj6d"])
    func invalidIDs(text: String) {
        #expect(JobID(text) == nil)
    }

    @Test(
        "script paths",
        arguments: [
            ("f/ops/restart", true), ("u/alice/fix_db", true), ("f/a.b-c/d_e", true), ("single", false), ("f//x", false), ("f/../x", false),
            ("f/x y", false), ("/f/x", false), ("f/é", false),
        ])
    func paths(text: String, valid: Bool) {
        #expect((ScriptPath(text) != nil) == valid)
    }

    @Test("final states")
    func finalStates() {
        #expect(JobState.allCases.filter(\.isFinal) == [.success, .failure, .canceled])
    }

    @Test("a job record reads its hash fields and keeps the others aside")
    func record() throws {
        let id = JobID(milliseconds: 1)
        let record = try #require(
            JobRecord(fields: [
                "id": id.rawValue, "kind": "script", "state": "running", "queue": "ops", "args": #"{"x":1}"#, "deliveries": "2",
                "env": #"{"A":"b"}"#, "custom": "kept",
            ]))
        #expect(record.kind == .script)
        #expect(record.arguments == ["x": 1])
        #expect(record.deliveries == 2)
        #expect(record.environment == ["A": "b"])
        #expect(record.extra == ["custom": "kept"])
        #expect(JobRecord(fields: ["id": id.rawValue, "kind": "nope", "state": "running", "queue": "q"]) == nil)
    }
}

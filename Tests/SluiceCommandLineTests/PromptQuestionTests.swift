import SluiceCommandLine
import SluiceCore
import SluiceFlows
import Testing

@testable import SluiceStore

@Suite("Prompts: questions from an approval form, answers typed in a terminal")
struct PromptQuestionTests {
    static func gate(form: JSONValue?, page: JSONValue = .emptyObject, extra: [String: String] = [:]) -> GateRecord? {
        var fields = [
            "id": "01M8RSZR96TQ3QDXHJSWXDWZR9", "flow_id": "01M8RSZR9354482D70CB5PF8YF", "state": "open", "secret": "00", "module_id": "ask",
        ]
        if let form { fields["form"] = form.jsonText }
        fields["page"] = page.jsonText
        for (key, value) in extra { fields[key] = value }
        return GateRecord(fields: fields, approvals: [], rejections: [])
    }

    static let form: JSONValue = [
        "type": "object",
        "properties": [
            "window": ["type": "string", "enum": ["now", "later"]],
            "count": ["type": "integer", "default": 2],
            "urgent": ["type": "boolean"],
            "tags": ["type": "array"],
        ],
        "required": ["window"],
    ]

    @Test("the step's default_args and dynamic enums replace the form's")
    func pageOverrides() throws {
        let gate = try #require(Self.gate(form: Self.form, page: ["default_args": ["count": 5], "enums": ["window": ["tonight", "sunday"]]]))
        let questions = GatePrompt(gate: gate).questions
        #expect(questions.map(\.name) == ["window", "count", "urgent", "tags"])
        #expect(questions[0].choices == ["tonight", "sunday"])
        #expect(questions[0].prompt == "window (string, one of 1) tonight 2) sunday, required): ")
        #expect(questions[1].defaultValue == 5)
        #expect(questions[1].prompt == "count (integer) [5]: ")
    }

    @Test("answers: choices by number or value, numbers as JSON numbers, booleans, JSON, defaults and required fields")
    func parsing() throws {
        let gate = try #require(Self.gate(form: Self.form))
        let questions = GatePrompt(gate: gate).questions
        #expect(questions[0].parse("2") == .value("later"))
        #expect(questions[0].parse("now") == .value("now"))
        #expect(questions[0].parse("3") == .invalid("choose one of 1 to 2, or type one of the values"))
        #expect(questions[0].parse("") == .invalid("window is required"))
        #expect(questions[1].parse("") == .value(2))
        #expect(questions[1].parse("7") == .value(7))
        #expect(questions[1].parse("7.5") == .invalid("expected a whole number"))
        #expect(questions[1].parse("0x1p4") == .invalid("expected a number, like 12 or 3.5"))
        #expect(questions[2].parse("Yes") == .value(true))
        #expect(questions[2].parse("maybe") == .invalid("answer y or n"))
        #expect(questions[2].parse("") == .omitted)
        #expect(questions[3].parse(#"["a", 1]"#) == .value(["a", 1]))
    }

    @Test("a conversation asks again after a bad answer, then approves with the answers; hide_cancel offers no rejection")
    func conversation() throws {
        let gate = try #require(Self.gate(form: Self.form, extra: ["hide_cancel": "1"]))
        var input = ["9", "1", "", "n", "", "r", "a"][...]
        var shown = ""
        let decision = GatePrompt(gate: gate).converse(read: { input.popFirst() }, write: { shown += $0 })
        #expect(decision == .approve(["window": "now", "count": 2, "urgent": false]))
        #expect(shown.contains("[A]pprove or [s]kip? "))
        #expect(shown.contains("  this gate takes no rejection; answer a or s"))
        let open = try #require(Self.gate(form: nil))
        var answers = ["r", "too risky"][...]
        #expect(GatePrompt(gate: open).converse(read: { answers.popFirst() }, write: { _ in }) == .reject(reason: "too risky"))
        var nothing = [String]()[...]
        #expect(GatePrompt(gate: gate).converse(read: { nothing.popFirst() }, write: { _ in }) == .undecided)
    }

    @Test("who may answer: not the creator when self-approval is disabled, a group member when groups are named, only open gates")
    func mayAnswer() throws {
        let strict = try #require(Self.gate(form: nil, extra: ["self_approval_disabled": "1", "created_by": "carol", "groups": #"["finance"]"#]))
        let members = ["finance": ["alice", "carol"]]
        #expect(GatePrompt.mayAnswer(strict, runner: "alice", groupMembers: members))
        #expect(!GatePrompt.mayAnswer(strict, runner: "carol", groupMembers: members))
        #expect(!GatePrompt.mayAnswer(strict, runner: "bob", groupMembers: members))
        let pending = try #require(Self.gate(form: nil, extra: ["state": "pending"]))
        #expect(!GatePrompt.mayAnswer(pending, runner: "alice", groupMembers: [:]))
    }
}

@Suite("Connection options before or after the subcommand")
struct LeadingOptionsTests {
    @Test(
        "shared options before the subcommand move after it; everything else stays",
        arguments: [
            (["--redis", "redis://h:1", "job", "show", "X"], ["job", "show", "X", "--redis", "redis://h:1"]),
            (["--prefix=a", "--redis", "u", "queues"], ["queues", "--prefix=a", "--redis", "u"]),
            (["job", "show", "X", "--redis", "u"], ["job", "show", "X", "--redis", "u"]),
            (["--help"], ["--help"]),
            (["--redis", "u"], ["--redis", "u"]),
        ])
    func reorder(given: [String], expected: [String]) {
        #expect(LeadingOptions.reordered(given) == expected)
    }
}

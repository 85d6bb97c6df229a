import SluiceCore
import Testing

@Suite("Secrets are masked in what a job leaves behind")
struct SecretRedactorTests {
    @Test("every occurrence is masked, longer secrets first, in text and in JSON strings and keys")
    func masking() {
        let redactor = SecretRedactor(["hunter2", "hunter2-long", ""])
        #expect(redactor.secrets == ["hunter2-long", "hunter2"])
        #expect(redactor.redact("a hunter2 b hunter2-long c") == "a ******** b ******** c")
        let value: JSONValue = ["token": "Bearer hunter2", "hunter2": [1, "x hunter2"], "n": 3]
        #expect(redactor.redact(value) == ["token": "Bearer ********", "********": [1, "x ********"], "n": 3])
        #expect(redactor.reveals(value))
        #expect(!redactor.reveals(["token": "nothing here"]))
        #expect(redactor.redact(JobOutcome.failure("KeyError: hunter2")) == .failure("KeyError: ********"))
    }

    @Test("a log cut at its cap does not keep the start of a secret")
    func truncatedTail() {
        let redactor = SecretRedactor(["s3cr3t-value"])
        #expect(redactor.redact("log ends s3cr3t-v", truncated: true) == "log ends ********")
        #expect(redactor.redact("log ends s3c", truncated: true) == "log ends s3c")
        #expect(redactor.redact("log ends s3cr3t-v", truncated: false) == "log ends s3cr3t-v")
    }

    @Test("nothing to mask leaves everything as it is")
    func empty() {
        let redactor = SecretRedactor()
        #expect(redactor.isEmpty)
        #expect(redactor.redact("plain") == "plain")
    }
}

@Suite("Static references: $var: and $res:")
struct ReferenceTests {
    @Test("whole strings at any depth are references; other strings are not")
    func scanning() {
        let value: JSONValue = ["a": "$var:f/x/token", "b": ["$res:f/x/db", "not $var:f/x/y"], "c": "$var"]
        #expect(value.references == [Reference(.variable, "f/x/token"), Reference(.resource, "f/x/db")])
    }

    @Test("substitution replaces each reference by its value, and a failure names it")
    func substitution() throws {
        let value: JSONValue = ["a": "$var:f/x/token", "b": ["$res:f/x/db"]]
        let resolved: [Reference: ResolvedReference] = [
            Reference(.variable, "f/x/token"): .value("t0k"), Reference(.resource, "f/x/db"): .value(["host": "db"]),
        ]
        #expect(try value.substitutingReferences(resolved) == ["a": "t0k", "b": [["host": "db"]]])
        #expect(throws: ReferenceFailure("variable 'f/x/token' does not exist")) {
            try value.substitutingReferences([Reference(.variable, "f/x/token"): .failure("variable 'f/x/token' does not exist")])
        }
    }
}

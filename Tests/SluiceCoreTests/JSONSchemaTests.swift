import SluiceCore
import Testing

@Suite("JSON Schema validation of inputs and approval payloads")
struct JSONSchemaTests {
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string", "minLength": 2],
            "count": ["type": "integer", "default": 1, "minimum": 0],
            "ratio": ["type": "number"],
            "dry_run": ["type": "boolean", "default": false],
            "env": ["type": "string", "enum": ["dev", "prod"]],
            "tags": ["type": "array", "items": ["type": "string"]],
            "ticket": ["type": "string", "pattern": "^[A-Z]+-[0-9]+$"],
            "owner": ["type": "object", "properties": ["team": ["type": "string"]], "required": ["team"]],
        ],
        "required": ["name", "env"],
        "order": ["env", "name"],
    ]

    @Test("defaults are filled in, order follows 'order'")
    func defaults() throws {
        let schema = try JSONSchema(Self.schema)
        #expect(schema.properties.prefix(2).map(\.name) == ["env", "name"])
        let value = try schema.validate(["name": "ada", "env": "dev"])
        #expect(value["count"] == 1)
        #expect(value["dry_run"] == false)
    }

    static let violationCases: [(String, String)] = [
        (#"{"env": "dev"}"#, "flow_input.name: is required"),
        (#"{"name": "ada", "env": "qa"}"#, #"flow_input.env: must be one of "dev", "prod""#),
        (#"{"name": "ada", "env": "dev", "count": "3"}"#, "flow_input.count: expected integer, got string"),
        (#"{"name": "ada", "env": "dev", "count": 1.5}"#, "flow_input.count: expected integer, got 1.5"),
        (#"{"name": "ada", "env": "dev", "count": -1}"#, "flow_input.count: must be ≥ 0"),
        (#"{"name": "a", "env": "dev"}"#, "flow_input.name: must be at least 2 characters"),
        (#"{"name": "ada", "env": "dev", "tags": ["a", 1]}"#, "flow_input.tags[1]: expected string, got number"),
        (#"{"name": "ada", "env": "dev", "ticket": "ops-1"}"#, "flow_input.ticket: must match the pattern ^[A-Z]+-[0-9]+$"),
        (#"{"name": "ada", "env": "dev", "owner": {}}"#, "flow_input.owner.team: is required"),
        (#"{"name": "ada", "env": "dev", "dry_run": "yes"}"#, "flow_input.dry_run: expected boolean, got string"),
        ("[1, 2]", "flow_input: expected an object, got array"),
    ]

    @Test("violations name the field", arguments: violationCases)
    func violations(text: String, message: String) throws {
        let value = try JSONValue(parsing: text)
        let schema = try JSONSchema(Self.schema)
        do {
            _ = try schema.validate(value)
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("a number is accepted where number is asked, integral or not")
    func numbers() throws {
        let schema = try JSONSchema(Self.schema)
        #expect(try schema.validate(["name": "ada", "env": "dev", "ratio": 0.5])["ratio"] == 0.5)
    }

    @Test("unsupported schema keywords are refused when the schema is read")
    func unsupportedKeyword() {
        #expect(throws: SchemaError.self) { try JSONSchema(["type": "object", "properties": ["a": ["anyOf": []]]]) }
        #expect(throws: SchemaError.self) { try JSONSchema(["type": "array"]) }
        #expect(throws: SchemaError.self) { try JSONSchema(["type": "object", "properties": ["a": ["type": "string", "pattern": "("]]]) }
    }

    @Test("keywords only Windmill's UI or AI helpers read are kept, listed as ignored, and never refuse input")
    func windmillUIKeywords() throws {
        let schema = try JSONSchema([
            "type": "object", "x-windmill-dyn-select": true, "prompt_for_ai": "a deploy",
            "properties": [
                "name": ["type": "string", "min": 3, "max": 5, "x-windmill-placeholder": "svc", "format": "windmill-invented"],
                "tags": ["type": "array", "items": ["type": "string", "prompt_for_ai": "tag"]],
            ],
        ])
        #expect(
            schema.ignored == [
                "'x-windmill-dyn-select'", "'prompt_for_ai'", "name: 'min'", "name: 'max'", "name: 'x-windmill-placeholder'",
                "tags[]: 'prompt_for_ai'",
            ])
        #expect(try schema.validate(["name": "a", "tags": ["x"]])["name"] == "a")
    }

    @Test("const, exclusive bounds, multipleOf, minItems, maxItems and uniqueItems constrain as JSON Schema says")
    func standardConstraints() throws {
        let schema = try JSONSchema([
            "type": "object",
            "properties": [
                "mode": ["const": "safe"],
                "ratio": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1],
                "step": ["type": "number", "multipleOf": 0.5],
                "hosts": ["type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true],
            ],
        ])
        #expect(try schema.validate(["mode": "safe", "ratio": 0.5, "step": 1.5, "hosts": ["a", "b"]])["step"] == 1.5)
        let cases: [(JSONValue, String)] = [
            (["mode": "fast"], "flow_input.mode"), (["ratio": 0], "flow_input.ratio"), (["ratio": 1], "flow_input.ratio"),
            (["step": 1.2], "flow_input.step"), (["hosts": []], "flow_input.hosts"), (["hosts": ["a", "b", "c", "d"]], "flow_input.hosts"),
            (["hosts": ["a", "a"]], "flow_input.hosts[1]"),
        ]
        for (input, field) in cases {
            #expect(throws: SchemaViolation.self) { try schema.validate(input) }
            do {
                _ = try schema.validate(input)
            } catch {
                #expect(error.field == field)
            }
        }
    }

    @Test("the keywords that change what is valid and are not checked are refused, naming the keyword")
    func constrainingKeywordsRefused() {
        for keyword in ["oneOf", "allOf", "not", "$ref", "patternProperties", "if", "minProperties"] {
            #expect(throws: SchemaError("a: the keyword '\(keyword)' is not supported")) {
                try JSONSchema(["type": "object", "properties": ["a": [keyword: []]]])
            }
        }
    }
}

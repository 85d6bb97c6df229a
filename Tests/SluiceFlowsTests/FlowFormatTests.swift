import SluiceCore
import SluiceFlows
import Testing

@Suite("OpenFlow documents")
struct FlowFormatTests {
    static let windmillYAML = """
        summary: Deploy with approval
        description: Builds, asks for a yes, deploys.
        value:
          same_worker: false
          modules:
            - id: build
              summary: Build
              value:
                type: rawscript
                language: python3
                content: '!inline build.py'
                input_transforms:
                  version:
                    type: javascript
                    expr: flow_input.version
                  target:
                    type: static
                    value: prod
              retry:
                constant:
                  attempts: 2
                  seconds: 1
              cache_ttl: 60
            - id: approve
              value:
                type: rawscript
                language: bash
                content: |
                  echo '{"description": "Deploy?"}'
                input_transforms: {}
              suspend:
                required_events: 2
                timeout: 600
                continue_on_disapprove_timeout: true
                resume_form:
                  schema:
                    type: object
                    properties:
                      reason:
                        type: string
                        description: Why
                    required: [reason]
                user_groups_required:
                  type: static
                  value: [ops]
                self_approval_disabled: true
            - id: deploy
              value:
                type: script
                path: f/ops/deploy
                input_transforms:
                  why:
                    type: javascript
                    expr: resume.reason
              sleep:
                type: static
                value: 5
              stop_after_if:
                expr: result.skipped === true
                skip_if_stopped: true
            - id: echo
              value:
                type: identity
        schema:
          $schema: https://json-schema.org/draft/2020-12/schema
          type: object
          properties:
            version:
              type: string
              default: "1.0"
          required: []
        """

    @Test("a Windmill flow with !inline content, a gate and every supported module field")
    func windmillFlow() throws {
        let parser = FlowParser(loadInline: { name in
            #expect(name == "build.py")
            return "def main(version, target):\n    return version\n"
        })
        let parsed = try parser.parse(Self.windmillYAML)
        let flow = parsed.definition
        #expect(flow.summary == "Deploy with approval")
        #expect(flow.modules.map(\.id) == ["build", "approve", "deploy", "echo"])
        guard case .rawScript(let language, let content, let transforms) = flow.modules[0].value else {
            Issue.record("build is not a rawscript")
            return
        }
        #expect(language == .python3)
        #expect(content.hasPrefix("def main"))
        #expect(transforms == [NamedTransform("version", .javascript("flow_input.version")), NamedTransform("target", .staticValue("prod"))])
        #expect(flow.modules[0].retry?.constant == RetryPolicy.Constant(attempts: 2, seconds: 1))
        let suspend = try #require(flow.modules[1].suspend)
        #expect(suspend.requiredEvents == 2)
        #expect(suspend.timeoutSeconds == 600)
        #expect(suspend.continueOnDisapproveTimeout)
        #expect(suspend.selfApprovalDisabled)
        #expect(suspend.userGroupsRequired == .staticValue(["ops"]))
        #expect(suspend.resumeFormSchema?["properties"]?["reason"]?["type"] == "string")
        #expect(flow.modules[2].sleep == .staticValue(5))
        #expect(flow.modules[2].stopAfterIf == StopAfterIf(expression: "result.skipped === true", skipIfStopped: true))
        #expect(flow.modules[3].value == .identity)
        #expect(parsed.warnings.isEmpty, "\(parsed.warnings)")
        #expect(!flow.sameWorker)
        #expect(flow.modules[0].cacheTTL != nil)
    }

    @Test("a flow whose input schema carries Windmill UI keywords pushes, with one warning per keyword, naming where it is")
    func windmillSchemaKeywords() throws {
        let parsed = try FlowParser().parse(
            """
            schema:
              $schema: https://json-schema.org/draft/2020-12/schema
              type: object
              order: [service]
              properties:
                service: {type: string, x-windmill-dyn-select-name: services, prompt_for_ai: the service to deploy, min: 2}
            value:
              modules:
                - id: a
                  value: {type: identity}
            """)
        #expect(parsed.warnings.count == 3)
        #expect(
            parsed.warnings.contains(
                "schema: service: 'prompt_for_ai' is kept and not checked (it shapes Windmill's UI; inputs are not validated against it)"))
    }

    @Test("JSON is read as well as YAML, numbers and strings kept apart")
    func json() throws {
        let parsed = try FlowParser().parse(
            #"{"summary": "j", "value": {"modules": [{"id": "a", "value": {"type": "identity"}, "sleep": 2}]}, "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}"#
        )
        #expect(parsed.definition.modules[0].sleep == .staticValue(2))
        let yaml = try FlowParser().parse(
            "value:\n  modules:\n    - id: a\n      value:\n        type: rawscript\n        language: bash\n        content: echo\n        input_transforms:\n          s: {type: static, value: '007'}\n          n: {type: static, value: 7}\n"
        )
        #expect(yaml.definition.modules[0].value.inputTransforms.map(\.transform) == [.staticValue("007"), .staticValue(7)])
    }

    @Test(
        "what cannot be read is refused with its location",
        arguments: [
            (
                "value:\n  modules:\n    - id: a\n      value: {type: forloopflow, modules: []}\n", "value.modules[0].value.iterator",
                "is required"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: rawscript, language: nativets, content: 'export const x = 1'}\n",
                "value.modules[0].value.content", "exports no main function"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: whileloopflow, parallel: true, modules: [{id: b, value: {type: identity}}]}\n",
                "value.modules[0].value.parallel", "one after the other"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: branchall, branches: []}\n      suspend: {required_events: 1}\n",
                "value.modules[0].suspend", "cannot be suspended"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: identity}\n      stop_after_all_iters_if: {expr: 'true'}\n",
                "value.modules[0].stop_after_all_iters_if", "only a forloopflow, whileloopflow or branchall"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: forloopflow, iterator: {type: javascript, expr: '[1]'}, skip_failures: false, modules: [{id: a, value: {type: identity}}]}\n",
                "value.modules[0].value.modules[0].id", "duplicate module id 'a'"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: identity}\n    - id: a\n      value: {type: identity}\n", "value.modules[1].id",
                "duplicate"
            ),
            ("value:\n  modules:\n    - id: 1a\n      value: {type: identity}\n", "value.modules[0].id", "not a valid module id"),
            ("summary: x\n", "value", "is required"),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: identity}\n      suspend: {required_events: 1, resume_form: {schema: {type: object, properties: {a: {type: string, oneOf: []}}}}}\n",
                "value.modules[0].suspend.resume_form.schema", "'oneOf' is not supported"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: rawscript, language: python3, content: '!inline missing.py'}\n",
                "value.modules[0].value.content", "cannot read"
            ),
            ("{ not yaml: [", "", "not valid YAML"),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: rawscript, language: bash, content: x, input_transforms: {v: {type: javascript, expr: 'variable(flow_input.p)'}}}\n",
                "value.modules[0].value.input_transforms.v.expr", "takes its path as a string literal"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: rawscript, language: bash, content: x, input_transforms: {v: {type: javascript, expr: \"resource('../x')\"}}}\n",
                "value.modules[0].value.input_transforms.v.expr", "not a valid resource path"
            ),
            (
                "value:\n  modules:\n    - id: a\n      value: {type: rawscript, language: bash, content: x, input_transforms: {v: {type: static, value: '$var:nope'}}}\n",
                "value.modules[0].value.input_transforms.v.value", "not a valid variable path"
            ),
        ])
    func refused(document: String, location: String, fragment: String) {
        do {
            _ = try FlowParser().parse(document)
            Issue.record("expected a refusal at \(location)")
        } catch {
            #expect(error.location == location, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        }
    }
}

@Suite("Flows as Windmill accepts them")
struct WindmillToleranceTests {
    static let toleratedCases: [(String, String)] = [
        (
            "value:\n  modules:\n    - id: a\n      value: {type: branchone, branches: [{expr: 'true', skip_failure: true, parallel: true, modules: []}], default: []}\n",
            "value.modules[0].value.branches[0].skip_failure: has no meaning on a branchone branch"
        ),
        (
            "value:\n  modules:\n    - id: a\n      value: {type: branchall, branches: [{expr: 'false', modules: []}]}\n",
            "value.modules[0].value.branches[0].expr: has no meaning on a branchall branch"
        ),
        (
            "value:\n  modules:\n    - id: a\n      value: {type: identity}\n      suspend: {required_events: 1, resume_form: {schema: {type: object, properties: {}}, required: [x]}}\n",
            "value.modules[0].suspend.resume_form.required: belongs inside resume_form.schema"
        ),
        (
            "value:\n  modules:\n    - id: a\n      value: {type: rawscript, language: bash, content: x, input_transforms: {v: {type: javascript, expr: '1', value: 2}}}\n",
            "value.modules[0].value.input_transforms.v.value: is not read beside 'expr'"
        ),
        (
            "value:\n  modules:\n    - id: a\n      value: {type: identity, timeout: 5, retry: {constant: {attempts: 2}}}\n",
            "value.modules[0].value.timeout: is read on the module, not inside its value"
        ),
        (
            "value:\n  modules:\n    - id: a\n      value: {type: forloopflow, iterator: {type: javascript, expr: '[1]'}, squash: true, modules: []}\n",
            "value.modules[0].value.squash: iterations run as usual"
        ),
        ("value:\n  modules: []\n  some_new_field: 1\n", "value.some_new_field: 'some_new_field' is not known to Sluice and is ignored"),
        ("value: {modules: []}\nschema: {type: object, properties: {a: {type: string, oneOf: []}}}\n", "schema: a: 'oneOf' is kept and not checked"),
    ]

    @Test(
        "fields Windmill ignores where they stand, or Sluice does not honour, are accepted with a warning naming the place", arguments: toleratedCases
    )
    func tolerated(document: String, warning: String) throws {
        let parsed = try FlowParser().parse(document)
        #expect(parsed.warnings.contains { $0.hasPrefix(warning) }, "\(parsed.warnings)")
        #expect(parsed.unsupported.isEmpty)
    }

    @Test("what cannot run here is kept as a module that fails when reached, listed by place and why")
    func unsupported() throws {
        let document = """
            value:
              modules:
                - id: ask_ai
                  value: {type: aiagent, tools: [], input_transforms: {}}
                - id: go
                  value: {type: rawscript, language: go, content: 'package inner'}
                - id: fine
                  value: {type: identity}
            """
        let parsed = try FlowParser().parse(document)
        #expect(parsed.unsupported.count == 2)
        #expect(parsed.unsupported.first?.hasPrefix("value.modules[0].value: an 'aiagent' module needs Windmill's AI service") == true)
        #expect(parsed.unsupported.last?.contains("language 'go' has no runtime in Sluice") == true)
        let stepper = FlowStepper(definition: parsed.definition, evaluator: JavaScriptSubsetEvaluator())
        guard case .failed(let message) = stepper.start(frame: .main, cursor: 0, scope: StepScope(flowInput: [:])) else {
            Issue.record("an unsupported module must fail when reached")
            return
        }
        #expect(message.contains("module 'ask_ai' cannot run in Sluice"))
        guard case .run = stepper.start(frame: .main, cursor: 2, scope: StepScope(flowInput: [:])) else {
            Issue.record("the other modules run")
            return
        }
    }

    @Test("input_transforms written on the module (the older form Windmill still reads) are the module's arguments")
    func moduleLevelTransforms() throws {
        let document = """
            value:
              modules:
                - id: a
                  input_transforms:
                    name: {type: static, value: Ada}
                    n: {type: javascript, expr: flow_input.n + 1}
                  value: {type: rawscript, language: bash, content: 'echo $1'}
            """
        let parsed = try FlowParser().parse(document)
        #expect(parsed.warnings.isEmpty, "\(parsed.warnings)")
        let stepper = FlowStepper(definition: parsed.definition, evaluator: JavaScriptSubsetEvaluator())
        guard case .run(let invocation) = stepper.start(frame: .main, cursor: 0, scope: StepScope(flowInput: ["n": 1])) else {
            Issue.record("expected the step to run")
            return
        }
        #expect(invocation.arguments == ["name": "Ada", "n": 2])
    }
}

@Suite("YAML aliases")
struct YAMLAliasTests {
    /// Nine levels of ten aliases each: a billion strings once expanded.
    static let laughs: String = {
        var lines = ["a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\nvalue:\n  modules: []\n"
    }()

    @Test("a billion laughs is refused at its first alias, before anything is expanded")
    func billionLaughs() throws {
        let started = ContinuousClock.now
        do {
            _ = try FlowParser().parse(Self.laughs)
            Issue.record("the document was accepted")
        } catch {
            #expect("\(error)".contains("YAML aliases (*a0) are not supported"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("an anchor that is never aliased is harmless and accepted")
    func anchorWithoutAlias() throws {
        let flow = try FlowParser().parse("summary: &s A flow\nvalue:\n  modules:\n    - id: a\n      value: {type: identity}\n")
        #expect(flow.definition.summary == "A flow")
    }
}

@Suite("Null fields")
struct NullFieldTests {
    @Test("a field written as null is a field not given (schema: null, as Windmill's export writes it); a quoted 'null' is a string")
    func scalars() throws {
        let parsed = try FlowParser().parse("schema: null\nsummary: 'null'\nvalue: {modules: []}\n")
        #expect(parsed.definition.schema == nil)
        #expect(parsed.definition.summary == "null")
    }
}

import Foundation
import SluiceCore
import SluiceFlows
import Testing

/// The pure decisions, without Redis: each test gives a scope and an event and checks what happens.
@Suite("FlowStepper decisions")
struct FlowStepperTests {
    let evaluator = JavaScriptSubsetEvaluator()

    func stepper(_ yaml: String) throws -> FlowStepper {
        FlowStepper(definition: try FlowParser().parse(yaml).definition, evaluator: evaluator)
    }

    func invocation(_ start: StepStart) throws -> StepInvocation {
        guard case .run(let invocation) = start else {
            Issue.record("expected a run, got \(start)")
            throw FlowRuntimeError("no run")
        }
        return invocation
    }

    static let linear = """
        value:
          modules:
            - id: a
              value:
                type: rawscript
                language: bash
                content: echo
                input_transforms:
                  n: {type: javascript, expr: flow_input.n + 1}
                  label: {type: static, value: first}
            - id: b
              value:
                type: script
                path: f/x/double
                input_transforms:
                  x: {type: javascript, expr: previous_result * 2}
                  from_a: {type: javascript, expr: results.a}
                  missing: {type: javascript, expr: flow_input.nothing}
              sleep: {type: javascript, expr: 'result > 100 ? 0 : 3'}
            - id: c
              value: {type: identity}
        """

    @Test("a linear flow: arguments evaluated as each step starts (undefined ones left out), sleep delays the next, the last ends the frame")
    func linear() throws {
        let flow = try stepper(Self.linear)
        let input: JSONValue = ["n": 1]
        #expect(try invocation(flow.start(frame: .main, cursor: 0, scope: StepScope(flowInput: input))).arguments == ["n": 2, "label": "first"])
        #expect(
            flow.afterStep(frame: .main, cursor: 0, scope: StepScope(flowInput: input), outcome: .success(10), attempt: 1)
                == .next(result: 10, delay: .zero))
        let atB = StepScope(flowInput: input, results: ["a": 10], previousResult: 10)
        #expect(try invocation(flow.start(frame: .main, cursor: 1, scope: atB)).arguments == ["x": 20, "from_a": 10])
        #expect(flow.afterStep(frame: .main, cursor: 1, scope: atB, outcome: .success(20), attempt: 1) == .next(result: 20, delay: .seconds(3)))
        #expect(flow.afterStep(frame: .main, cursor: 1, scope: atB, outcome: .success(200), attempt: 1) == .next(result: 200, delay: .zero))
        let atC = StepScope(flowInput: input, previousResult: 20)
        #expect(try invocation(flow.start(frame: .main, cursor: 2, scope: atC)).arguments == 20)
        #expect(
            flow.afterStep(frame: .main, cursor: 2, scope: atC, outcome: .success(20), attempt: 1) == .endFrame(.completed(module: "c", result: 20)))
        #expect(flow.flowEnding(.completed(module: "c", result: 20)) == .success(20, skipped: false))
    }

    @Test("what a step reads: only the results and inputs its expressions name")
    func needs() throws {
        let flow = try stepper(Self.linear)
        let atA = flow.needs(frame: .main, cursor: 0)
        #expect(atA.flowInput && !atA.previousResult && atA.results.isEmpty)
        let atB = flow.needs(frame: .main, cursor: 1)
        #expect(atB.flowInput && atB.previousResult)
        #expect(atB.results.map(\.field) == ["a"])
        let atC = flow.needs(frame: .main, cursor: 2)
        #expect(!atC.flowInput && atC.previousResult && atC.results.isEmpty)
        let dynamic = try stepper(
            """
            value:
              modules:
                - id: a
                  value: {type: identity}
                - id: b
                  value: {type: script, path: f/x/y, input_transforms: {all: {type: javascript, expr: 'Object.keys(results)'}}}
            """)
        #expect(dynamic.needs(frame: .main, cursor: 1).results.map(\.field).sorted() == ["a", "b"])
    }

    @Test("retries: constant, then exponential (multiplier × seconds^n, n counting every retry), then failure; retry_if decides")
    func retries() throws {
        let flow = try stepper(
            """
            value:
              modules:
                - id: flaky
                  value: {type: rawscript, language: bash, content: 'exit 1'}
                  retry:
                    constant: {attempts: 1, seconds: 2}
                    exponential: {attempts: 2, multiplier: 3, seconds: 2}
            """)
        let scope = StepScope(flowInput: [:])
        let delays = (1...3).map { flow.afterStep(frame: .main, cursor: 0, scope: scope, outcome: .failure("boom"), attempt: $0) }
        #expect(delays == [.retry(delay: .seconds(2)), .retry(delay: .seconds(12)), .retry(delay: .seconds(24))])
        #expect(
            flow.afterStep(frame: .main, cursor: 0, scope: scope, outcome: .failure("boom"), attempt: 4)
                == .endFrame(.failed(module: "flaky", message: "module 'flaky' failed after 4 attempts: boom")))
        let conditional = try stepper(
            """
            value:
              modules:
                - id: flaky
                  value: {type: rawscript, language: bash, content: 'exit 1'}
                  retry:
                    constant: {attempts: 3, seconds: 1}
                    retry_if: {expr: 'error.message.includes("timeout")'}
            """)
        #expect(
            conditional.afterStep(frame: .main, cursor: 0, scope: scope, outcome: .failure("timeout talking to db"), attempt: 1)
                == .retry(delay: .seconds(1)))
        #expect(
            conditional.afterStep(frame: .main, cursor: 0, scope: scope, outcome: .failure("bad input"), attempt: 1)
                == .endFrame(.failed(module: "flaky", message: "module 'flaky' failed: bad input")))
    }

    @Test("random_factor moves the exponential delay by at most that percentage")
    func jitter() {
        let policy = RetryPolicy(exponential: .init(attempts: 1, multiplier: 1, seconds: 10, randomFactor: 20))
        #expect(policy.delay(beforeRetry: 1, unitRandom: 0) == .seconds(8))
        #expect(policy.delay(beforeRetry: 1, unitRandom: 0.5) == .seconds(10))
        #expect(policy.delay(beforeRetry: 1, unitRandom: 0.999_999) == .milliseconds(12_000))
        #expect(policy.delay(beforeRetry: 2, unitRandom: 0.5) == nil)
    }

    @Test("after constant retries, the exponent counts them too, as Windmill's Retry::interval does")
    func exponentAfterConstant() {
        let policy = RetryPolicy(constant: .init(attempts: 2, seconds: 1), exponential: .init(attempts: 2, multiplier: 3, seconds: 2))
        #expect(policy.delay(beforeRetry: 2, unitRandom: 0) == .seconds(1))
        #expect(policy.delay(beforeRetry: 3, unitRandom: 0) == .seconds(24), "3 × 2³")
        #expect(policy.delay(beforeRetry: 4, unitRandom: 0) == .seconds(48), "3 × 2⁴")
        #expect(policy.delay(beforeRetry: 5, unitRandom: 0) == nil)
    }

    @Test("stop_after_if stops: success, skipped, or failure with the message")
    func earlyStop() throws {
        let template = """
            value:
              modules:
                - id: check
                  value: {type: identity}
                  stop_after_if: {expr: 'result.stop', skip_if_stopped: SKIP ERROR}
                - id: never
                  value: {type: identity}
            """
        let plain = try stepper(template.replacingOccurrences(of: " ERROR", with: "").replacingOccurrences(of: "SKIP", with: "false"))
        let skipped = try stepper(template.replacingOccurrences(of: " ERROR", with: "").replacingOccurrences(of: "SKIP", with: "true"))
        let failing = try stepper(template.replacingOccurrences(of: "SKIP ERROR", with: "false, error_message: 'stopped early'"))
        let scope = StepScope(flowInput: [:])
        func after(_ flow: FlowStepper, _ result: JSONValue) -> StepFollowUp {
            flow.afterStep(frame: .main, cursor: 0, scope: scope, outcome: .success(result), attempt: 1)
        }
        #expect(after(plain, ["stop": true]) == .endFrame(.stopped(module: "check", result: ["stop": true], skipped: false)))
        #expect(after(skipped, ["stop": true]) == .endFrame(.stopped(module: "check", result: ["stop": true], skipped: true)))
        #expect(after(failing, ["stop": 1]) == .endFrame(.stoppedWithError(module: "check", result: ["stop": 1], message: "stopped early")))
        #expect(plain.flowEnding(.stopped(module: "check", result: 1, skipped: true)) == .success(1, skipped: true))
        #expect(after(plain, ["stop": false]) == .next(result: ["stop": false], delay: .zero))
    }

    @Test("skip_if, mock and continue_on_error")
    func options() throws {
        let flow = try stepper(
            """
            value:
              modules:
                - id: maybe
                  skip_if: {expr: 'flow_input.dry'}
                  value: {type: rawscript, language: bash, content: echo}
                - id: fake
                  mock: {enabled: true, return_value: {ok: 1}}
                  value: {type: rawscript, language: bash, content: 'exit 1'}
                - id: tolerant
                  continue_on_error: true
                  value: {type: rawscript, language: bash, content: 'exit 1'}
            """)
        // A skipped module passes its input through.
        #expect(flow.start(frame: .main, cursor: 0, scope: StepScope(flowInput: ["dry": true])) == .skipped(["dry": true]))
        #expect(try invocation(flow.start(frame: .main, cursor: 0, scope: StepScope(flowInput: ["dry": false]))).arguments == [:])
        #expect(flow.start(frame: .main, cursor: 1, scope: StepScope(flowInput: [:])) == .mocked(["ok": 1]))
        let tolerated = flow.afterStep(frame: .main, cursor: 2, scope: StepScope(flowInput: [:]), outcome: .failure("nope"), attempt: 1)
        guard case .endFrame(.completed(_, let result)) = tolerated else {
            Issue.record("expected the flow to go on, got \(tolerated)")
            return
        }
        #expect(result["error"]?["message"] == "nope")
        #expect(result["error"]?["step_id"] == "tolerant")
    }

    @Test("an expression that fails at run time fails the step, naming module and argument")
    func expressionFailure() throws {
        let flow = try stepper(
            """
            value:
              modules:
                - id: a
                  value:
                    type: rawscript
                    language: bash
                    content: echo
                    input_transforms:
                      v: {type: javascript, expr: flow_input.user.name}
            """)
        guard case .failed(let message) = flow.start(frame: .main, cursor: 0, scope: StepScope(flowInput: [:])) else {
            Issue.record("expected a failure")
            return
        }
        #expect(message.contains("module 'a'"))
        #expect(message.contains("argument 'v'"))
        #expect(message.contains("Cannot read properties of undefined (reading 'name')"))
    }

    static let gated = """
        value:
          modules:
            - id: ask
              value: {type: identity}
              suspend:
                required_events: 2
                continue_on_disapprove_timeout: CONTINUE
                user_groups_required: {type: javascript, expr: 'flow_input.env === "prod" ? ["ops", "sre"] : []'}
            - id: after
              value:
                type: rawscript
                language: bash
                content: echo
                input_transforms:
                  resume: {type: javascript, expr: resume}
                  who: {type: javascript, expr: approvers}
                  count: {type: javascript, expr: resumes.length}
                  which: {type: javascript, expr: 'resume?.error?.name ?? "approved"'}
        """

    @Test("a gate parks its frame; approval moves on, and the next step sees resume, resumes and approvers")
    func gateApproved() throws {
        let flow = try stepper(Self.gated.replacingOccurrences(of: "CONTINUE", with: "false"))
        let input: JSONValue = ["env": "prod"]
        let started = try invocation(flow.start(frame: .main, cursor: 0, scope: StepScope(flowInput: input, createdBy: "carol")))
        #expect(started.gate?.requiredGroups == ["ops", "sre"])
        #expect(started.gate?.settings.requiredEvents == 2)
        let result: JSONValue = ["env": "prod", "description": "**Deploy?**", "enums": ["x": ["a"]]]
        let parked = flow.afterStep(frame: .main, cursor: 0, scope: StepScope(flowInput: input), outcome: .success(result), attempt: 1)
        guard case .park(_, let gate) = parked else {
            Issue.record("expected a gate, got \(parked)")
            return
        }
        #expect(gate.moduleID == "ask")
        #expect(gate.page == ["description": "**Deploy?**", "enums": ["x": ["a"]]])
        let context = ResumeContext(resume: ["reason": "ok"], resumes: [["reason": "fine"], ["reason": "ok"]], approvers: ["alice", "bob"])
        let (next, resume) = flow.afterGate(frame: .main, cursor: 0, scope: StepScope(flowInput: input), result: result, outcome: .approved(context))
        #expect(next == .next(result: result, delay: .zero))
        #expect(resume == context)
        let after = try invocation(flow.start(frame: .main, cursor: 1, scope: StepScope(flowInput: input, resume: context)))
        #expect(after.arguments == ["resume": ["reason": "ok"], "who": ["alice", "bob"], "count": 2, "which": "approved"])
    }

    @Test("rejection and timeout cancel the flow — or, with continue_on_disapprove_timeout, continue with Windmill's error shapes")
    func gateRejectedOrTimedOut() throws {
        let canceling = try stepper(Self.gated.replacingOccurrences(of: "CONTINUE", with: "false"))
        let continuing = try stepper(Self.gated.replacingOccurrences(of: "CONTINUE", with: "true"))
        let scope = StepScope(flowInput: ["env": "dev"])
        let soFar = ResumeContext(resume: .null, resumes: [["ok": true]], approvers: ["alice"])
        #expect(
            canceling.afterGate(frame: .main, cursor: 0, scope: scope, result: 1, outcome: .rejected(by: "bob", reason: "too risky", soFar)).0
                == .endFrame(.canceled("disapproved by bob: too risky")))
        #expect(
            canceling.afterGate(frame: .main, cursor: 0, scope: scope, result: 1, outcome: .timedOut(soFar)).0
                == .endFrame(.canceled("timed out waiting to be resumed")))
        let (_, rejected) = continuing.afterGate(frame: .main, cursor: 0, scope: scope, result: 1, outcome: .rejected(by: "bob", reason: nil, soFar))
        #expect(rejected?.resume == ["error": ["name": "SuspendedDisapproved", "message": "Disapproved by bob"]])
        #expect(rejected?.approvers == ["alice"])
        let (_, timedOut) = continuing.afterGate(frame: .main, cursor: 0, scope: scope, result: 1, outcome: .timedOut(soFar))
        #expect(timedOut?.resume == ["error": ["name": "SuspendedTimedOut", "message": "Timed out waiting to be resumed"]])
        let after = try invocation(continuing.start(frame: .main, cursor: 1, scope: StepScope(flowInput: scope.flowInput, resume: rejected)))
        #expect(after.arguments["which"] == "SuspendedDisapproved")
    }
}

@Suite("FlowStepper: variables and resources")
struct FlowStepperReferenceTests {
    let evaluator = JavaScriptSubsetEvaluator()

    static let flow = """
        value:
          modules:
            - id: call
              value:
                type: rawscript
                language: bash
                content: echo
                input_transforms:
                  token: {type: static, value: '$var:f/pay/token'}
                  db: {type: static, value: {conn: '$res:f/pay/db', plain: x}}
                  header: {type: javascript, expr: '`Bearer ${variable("f/pay/token")}`'}
              skip_if: {expr: "resource('f/pay/flags').off"}
        """

    @Test("a step names the references of its static values and expressions, and they stand for what was resolved")
    func substitution() throws {
        let stepper = FlowStepper(definition: try FlowParser().parse(Self.flow).definition, evaluator: evaluator)
        let needs = stepper.needs(frame: .main, cursor: 0)
        #expect(
            needs.references == [Reference(.variable, "f/pay/token"), Reference(.resource, "f/pay/db"), Reference(.resource, "f/pay/flags")])
        let scope = StepScope(
            flowInput: [:],
            references: [
                Reference(.variable, "f/pay/token"): .value("t0k"), Reference(.resource, "f/pay/db"): .value(["host": "db"]),
                Reference(.resource, "f/pay/flags"): .value(["off": false]),
            ])
        guard case .run(let invocation) = stepper.start(frame: .main, cursor: 0, scope: scope) else {
            Issue.record("expected a run")
            return
        }
        #expect(invocation.arguments == ["token": "t0k", "db": ["conn": ["host": "db"], "plain": "x"], "header": "Bearer t0k"])
    }

    @Test("a reference that failed fails the step, naming the argument and the reference")
    func failure() throws {
        let stepper = FlowStepper(definition: try FlowParser().parse(Self.flow).definition, evaluator: evaluator)
        let scope = StepScope(
            flowInput: [:],
            references: [
                Reference(.variable, "f/pay/token"): .failure("variable 'f/pay/token' does not exist"),
                Reference(.resource, "f/pay/flags"): .value(["off": false]),
            ])
        guard case .failed(let message) = stepper.start(frame: .main, cursor: 0, scope: scope) else {
            Issue.record("expected a failure")
            return
        }
        #expect(message == "module 'call': argument 'token': variable 'f/pay/token' does not exist")
    }
}

import Foundation
import SluiceCore
import SluiceFlows
import Testing

/// The pure decisions, without Redis: each test feeds events and checks what happens next.
@Suite("FlowStepper decisions")
struct FlowStepperTests {
    let evaluator = JavaScriptSubsetEvaluator()

    func stepper(_ yaml: String) throws -> FlowStepper {
        FlowStepper(definition: try FlowParser().parse(yaml).definition, evaluator: evaluator)
    }

    func step(_ transition: FlowTransition) throws -> StepPlan {
        guard case .runStep(let plan) = transition.decision else {
            Issue.record("expected a step, got \(transition.decision)")
            throw FlowRuntimeError("no step")
        }
        return plan
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

    @Test("a linear flow passes results along; undefined arguments are left out; sleep delays the next step")
    func linear() throws {
        let flow = try stepper(Self.linear)
        let start = flow.start(input: ["n": 1], createdBy: "alice")
        let first = try step(start)
        #expect(first.moduleID == "a")
        #expect(first.arguments == ["n": 2, "label": "first"])
        #expect(first.run == .rawScript(language: .bash, content: "echo"))
        let second = try step(flow.afterStep(state: start.state, event: .succeeded(10)))
        #expect(second.moduleID == "b")
        #expect(second.arguments == ["x": 20, "from_a": 10])
        #expect(second.run == .script(path: "f/x/double"))
        #expect(second.delay == .zero)
        let afterA = flow.afterStep(state: start.state, event: .succeeded(10))
        let afterB = flow.afterStep(state: afterA.state, event: .succeeded(20))
        let third = try step(afterB)
        #expect(third.moduleID == "c")
        #expect(third.arguments == 20)
        #expect(third.delay == .seconds(3))
        #expect(afterB.recorded?.0 == "b")
        let end = flow.afterStep(state: afterB.state, event: .succeeded(20))
        #expect(end.decision == .finish(.success(20, skipped: false)))
        #expect(end.state.results.map(\.0) == ["a", "b", "c"])
    }

    @Test("retries: constant first, then exponential with multiplier × seconds^n, then failure")
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
        var state = flow.start(input: [:], createdBy: nil).state
        var delays: [Duration] = []
        for _ in 0..<3 {
            let transition = flow.afterStep(state: state, event: .failed("boom"))
            let retry = try step(transition)
            #expect(retry.moduleID == "flaky")
            delays.append(retry.delay)
            state = transition.state
        }
        #expect(delays == [.seconds(2), .seconds(6), .seconds(12)])
        #expect(state.attempt == 4)
        let end = flow.afterStep(state: state, event: .failed("boom"))
        #expect(end.decision == .finish(.failure("module 'flaky' failed after 4 attempts: boom")))
    }

    @Test("random_factor moves the exponential delay by at most that percentage")
    func jitter() {
        let policy = RetryPolicy(exponential: .init(attempts: 1, multiplier: 1, seconds: 10, randomFactor: 20))
        #expect(policy.delay(beforeRetry: 1, unitRandom: 0) == .seconds(8))
        #expect(policy.delay(beforeRetry: 1, unitRandom: 0.5) == .seconds(10))
        #expect(policy.delay(beforeRetry: 1, unitRandom: 0.999_999) == .milliseconds(12_000))
        #expect(policy.delay(beforeRetry: 2, unitRandom: 0.5) == nil)
    }

    @Test("stop_after_if ends the flow early: success, skipped, or failure with the message")
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
        let state = plain.start(input: [:], createdBy: nil).state
        #expect(plain.afterStep(state: state, event: .succeeded(["stop": true])).decision == .finish(.success(["stop": true], skipped: false)))
        #expect(skipped.afterStep(state: state, event: .succeeded(["stop": true])).decision == .finish(.success(["stop": true], skipped: true)))
        #expect(failing.afterStep(state: state, event: .succeeded(["stop": 1])).decision == .finish(.failure("stopped early")))
        #expect(try step(plain.afterStep(state: state, event: .succeeded(["stop": false]))).moduleID == "never")
    }

    @Test("a failing step goes to the failure module with the error in scope; the flow still fails")
    func failureModule() throws {
        let flow = try stepper(
            """
            value:
              modules:
                - id: a
                  value: {type: identity}
              failure_module:
                id: failure
                value:
                  type: rawscript
                  language: bash
                  content: echo
                  input_transforms:
                    message: {type: javascript, expr: error.message}
                    step: {type: javascript, expr: error.step_id}
            """)
        let state = flow.start(input: [:], createdBy: nil).state
        let toFailure = flow.afterStep(state: state, event: .failed("disk full"))
        let plan = try step(toFailure)
        #expect(plan.position == .failureModule)
        #expect(plan.arguments == ["message": "module 'a' failed: disk full", "step": "a"])
        let end = flow.afterStep(state: toFailure.state, event: .succeeded("notified"))
        #expect(end.decision == .finish(.failure("module 'a' failed: disk full")))
    }

    @Test("an expression that fails at run time fails the flow, naming module and argument")
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
        let start = flow.start(input: [:], createdBy: nil)
        guard case .finish(.failure(let message)) = start.decision else {
            Issue.record("expected a failure, got \(start.decision)")
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

    @Test("a gate parks the flow; approval resumes with resume, resumes and approvers in scope")
    func gateApproved() throws {
        let flow = try stepper(Self.gated.replacingOccurrences(of: "CONTINUE", with: "false"))
        let start = flow.start(input: ["env": "prod"], createdBy: "carol")
        #expect(try step(start).gate?.requiredGroups == ["ops", "sre"])
        #expect(try step(start).gate?.settings.requiredEvents == 2)
        let parked = flow.afterStep(state: start.state, event: .succeeded(["env": "prod", "description": "**Deploy?**", "enums": ["x": ["a"]]]))
        guard case .suspend(let gate) = parked.decision else {
            Issue.record("expected a gate, got \(parked.decision)")
            return
        }
        #expect(gate.moduleID == "ask")
        #expect(gate.settings.requiredEvents == 2)
        #expect(gate.page == ["description": "**Deploy?**", "enums": ["x": ["a"]]])
        let context = ResumeContext(resume: ["reason": "ok"], resumes: [["reason": "fine"], ["reason": "ok"]], approvers: ["alice", "bob"])
        let next = try step(flow.afterGate(state: parked.state, outcome: .approved(context)))
        #expect(next.moduleID == "after")
        #expect(next.arguments == ["resume": ["reason": "ok"], "who": ["alice", "bob"], "count": 2, "which": "approved"])
    }

    @Test("rejection and timeout cancel the flow — or, with continue_on_disapprove_timeout, continue with Windmill's error shapes")
    func gateRejectedOrTimedOut() throws {
        let canceling = try stepper(Self.gated.replacingOccurrences(of: "CONTINUE", with: "false"))
        let continuing = try stepper(Self.gated.replacingOccurrences(of: "CONTINUE", with: "true"))
        let start = canceling.start(input: ["env": "dev"], createdBy: nil)
        let parked = canceling.afterStep(state: start.state, event: .succeeded(1)).state
        let soFar = ResumeContext(resume: .null, resumes: [["ok": true]], approvers: ["alice"])
        #expect(
            canceling.afterGate(state: parked, outcome: .rejected(by: "bob", reason: "too risky", soFar)).decision
                == .finish(.canceled("disapproved by bob: too risky")))
        #expect(canceling.afterGate(state: parked, outcome: .timedOut(soFar)).decision == .finish(.canceled("timed out waiting to be resumed")))
        let rejected = try step(continuing.afterGate(state: parked, outcome: .rejected(by: "bob", reason: nil, soFar)))
        #expect(rejected.arguments["which"] == "SuspendedDisapproved")
        #expect(rejected.arguments["resume"] == ["error": ["name": "SuspendedDisapproved", "message": "Disapproved by bob"]])
        #expect(rejected.arguments["who"] == ["alice"])
        let timedOut = try step(continuing.afterGate(state: parked, outcome: .timedOut(soFar)))
        #expect(timedOut.arguments["resume"] == ["error": ["name": "SuspendedTimedOut", "message": "Timed out waiting to be resumed"]])
    }
}

import Foundation
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore

/// Reports a finished flow step (or flow event) and moves its flow on: reads the flow's state,
/// asks the pure ``FlowStepper`` what happens next, and applies the answer with `advance_flow`,
/// which also takes the worker's next job — two round trips per step.
struct FlowReporter: Sendable {
    let flows: FlowStore
    let definitions: FlowDefinitionCache

    func report(
        _ job: JobRecord,
        worker: String,
        outcome: JobOutcome,
        logs: String,
        next: JobStore.NextJob?,
        on connection: RedisConnection
    ) throws -> FlowStore.AdvanceResult {
        let held = FlowPlan.HeldJob(job: job, worker: worker, outcome: outcome, logs: logs)
        var plan = try decide(job, outcome: outcome, on: connection)
        plan.held = held
        plan.next = next
        plan.worker = worker
        return try flows.advance(plan, on: connection)
    }

    private func decide(_ job: JobRecord, outcome: JobOutcome, on connection: RedisConnection) throws -> FlowPlan {
        guard let flowID = job.flowID else { throw FlowRuntimeError("job \(job.id) belongs to no flow") }
        guard let run = try flows.runState(flowID, on: connection), run.job.state == .running, let hash = run.flowHash else {
            return FlowPlan(reportingOnly: flowID)
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let stepper: FlowStepper
        do {
            stepper = try definitions.stepper(hash: hash, flows: flows, on: connection)
        } catch let error as RedisError {
            throw error
        } catch {
            // A flow that cannot be read cannot go on: end it with the reason rather than loop.
            let failed = FlowTransition(
                decision: .finish(.failure("cannot continue the flow: \(error)")), state: FlowState(flowInput: run.job.arguments))
            return FlowPlan(transition: failed, flowID: flowID, expectVersion: run.version, context: FlowPlan.Context(flow: run.job), now: now)
        }
        let state = FlowRun.state(of: run, definition: stepper.definition)
        let transition: FlowTransition
        switch job.kind {
        case .step:
            guard run.currentJob == job.id else { return FlowPlan(reportingOnly: flowID) }
            let event: StepEvent
            switch outcome {
            case .success(let value): event = .succeeded(value)
            case .failure(let message): event = .failed(message)
            }
            transition = stepper.afterStep(state: state, event: event, unitRandom: Double.random(in: 0..<1))
        case .flowEvent:
            guard let event = FlowEvent(job.arguments) else { return FlowPlan(reportingOnly: flowID) }
            switch event {
            case .stepLost(let stepID, let message):
                guard run.currentJob == stepID else { return FlowPlan(reportingOnly: flowID) }
                transition = stepper.afterStep(state: state, event: .failed(message), unitRandom: Double.random(in: 0..<1))
            case .gateDecided(let gate, let outcome):
                guard run.job.extra["gate"] == gate.rawValue else { return FlowPlan(reportingOnly: flowID) }
                transition = stepper.afterGate(state: state, outcome: outcome)
            }
        default:
            return FlowPlan(reportingOnly: flowID)
        }
        return FlowPlan(transition: transition, flowID: flowID, expectVersion: run.version, context: FlowPlan.Context(flow: run.job), now: now)
    }
}

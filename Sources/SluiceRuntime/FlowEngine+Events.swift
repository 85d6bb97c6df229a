public import SluiceCore
import SluiceFlows
public import SluiceRedis
public import SluiceStore

extension FlowEngine {
    /// Whether the `flow_event` job `job` carries a gate's decision: with `--ack`, a worker starts
    /// what follows only once the replicas hold that decision (``RedisConnection/awaitReplicas(in:)``).
    public static func carriesGateDecision(_ job: JobRecord) -> Bool {
        guard case .gateDecided? = FlowEvent(job.arguments) else { return false }
        return true
    }

    /// Handles a `flow_event` job — a gate decided, a container's children done, a subflow ended,
    /// a step lost — and moves its flow on, taking the worker's next job in the same call.
    public func handle(event job: JobRecord, worker: String, next: JobStore.NextJob?, on connection: RedisConnection) throws
        -> FlowStore.AdvanceResult
    {
        var decision = FlowAdvance(flow: job.flowID ?? job.id)
        decision.held = .init(job: job, worker: worker, ending: .finished(.success(job.arguments)))
        decision.next = next.map { (worker, $0) }
        // A plan that fails its guard changes nothing but the event job itself.
        decision.guardState = .job(frame: "-", job: job.id)
        guard let flow = job.flowID, let event = FlowEvent(job.arguments) else {
            return try flows.advance(decision, on: connection)
        }
        let built: (FlowStepper, [FlowOperation], FlowAdvance.Guard)?
        do {
            built = try eventOperations(event, flow: flow, on: connection)
        } catch let error as RedisError {
            throw error
        } catch {
            // The flow's definition cannot be read any more: it cannot go on.
            decision.guardState = nil
            decision.operations = [.cancel(reason: "cannot continue the flow: \(error)", eventID: JobID.generate())]
            return try flows.advance(decision, on: connection)
        }
        if let (stepper, operations, guardState) = built {
            decision.operations = operations
            decision.guardState = guardState
            if next != nil { decision.prefetch = prefetchRequests(operations, flow: flow, stepper: stepper) }
        }
        return try flows.advance(decision, on: connection)
    }

    private func eventOperations(_ event: FlowEvent, flow: JobID, on connection: RedisConnection) throws -> (
        FlowStepper, [FlowOperation], FlowAdvance.Guard
    )? {
        switch event {
        case .stepLost(let step, let message):
            guard let (place, stepper) = try position(of: step, flow: flow, on: connection) else { return nil }
            let read = try readScope(flow: flow, stepper: stepper, frame: place.frame, cursor: place.cursor, on: connection)
            let followUp = stepper.afterStep(
                frame: place.frame, cursor: place.cursor, scope: read.scope, outcome: .failure(message), attempt: place.attempt,
                unitRandom: Double.random(in: 0..<1))
            return (
                stepper, operations(after: followUp, at: place, stepper: stepper, scope: read.scope, records: read.records),
                .job(frame: place.frame.description, job: step)
            )

        case .gateDecided(let gate, let outcome):
            guard let (place, stepper) = try position(of: gate, flow: flow, on: connection),
                let module = stepper.definition.module(in: place.frame, at: place.cursor)
            else { return nil }
            let field = ResultReference(frame: place.frame, moduleID: module.id).field
            let read = try readScope(flow: flow, stepper: stepper, frame: place.frame, cursor: place.cursor, extraResults: [field], on: connection)
            let result = read.results[field] ?? .null
            let (followUp, context) = stepper.afterGate(frame: place.frame, cursor: place.cursor, scope: read.scope, result: result, outcome: outcome)
            var scope = read.scope
            var operations: [FlowOperation] = []
            if let context {
                scope.resume = context
                operations.append(.frame(id: place.frame.description, set: [.resume: .string(context.json.jsonText)], unset: [.gate]))
            }
            operations += self.operations(after: followUp, at: place, stepper: stepper, scope: scope, records: read.records)
            return (stepper, operations, .gate(frame: place.frame.description, gate: gate))

        case .containerDone(let containerText, let job):
            guard let (place, stepper) = try position(of: job, flow: flow, on: connection) else { return nil }
            let read = try readScope(flow: flow, stepper: stepper, frame: place.frame, cursor: place.cursor, collected: containerText, on: connection)
            guard let record = read.records[containerText] else { return nil }
            let outcome: JobOutcome
            if let failed = record[ContainerRecord.Field.failed.rawValue]?.stringValue {
                outcome = .failure(failed)
            } else if record[ContainerRecord.Field.kind.rawValue]?.stringValue == ContainerKind.branchOne.rawValue {
                outcome = .success(read.collected.values.first ?? .null)
            } else {
                outcome = .success(.array(read.collected.keys.sorted().compactMap { read.collected[$0] }))
            }
            let followUp = stepper.afterStep(
                frame: place.frame, cursor: place.cursor, scope: read.scope, outcome: Self.stepOutcome(outcome), attempt: place.attempt,
                unitRandom: Double.random(in: 0..<1))
            let operations: [FlowOperation] =
                [
                    .closeWaiting(job: job, outcome: outcome), .dropContainer(containerText),
                    .frame(id: place.frame.description, set: [.status: .string(FrameRecord.Status.run.rawValue)]),
                ]
                + self.operations(after: followUp, at: place, stepper: stepper, scope: read.scope, records: read.records)
            return (stepper, operations, .job(frame: place.frame.description, job: job))

        case .subflowDone(let job, let state, let result, let error):
            guard let (place, stepper) = try position(of: job, flow: flow, on: connection) else { return nil }
            if state == .canceled {
                let reason = "its subflow was canceled" + (error.map { ": \($0)" } ?? "")
                return (
                    stepper, [.closeWaiting(job: job, outcome: .failure(reason)), .cancel(reason: reason, eventID: JobID.generate())],
                    .job(frame: place.frame.description, job: job)
                )
            }
            let outcome: JobOutcome = state == .success ? .success(result ?? .null) : .failure(error ?? "the subflow failed")
            let read = try readScope(flow: flow, stepper: stepper, frame: place.frame, cursor: place.cursor, on: connection)
            let followUp = stepper.afterStep(
                frame: place.frame, cursor: place.cursor, scope: read.scope, outcome: Self.stepOutcome(outcome), attempt: place.attempt,
                unitRandom: Double.random(in: 0..<1))
            let operations: [FlowOperation] =
                [
                    .closeWaiting(job: job, outcome: outcome),
                    .frame(id: place.frame.description, set: [.status: .string(FrameRecord.Status.run.rawValue)]),
                ]
                + self.operations(after: followUp, at: place, stepper: stepper, scope: read.scope, records: read.records)
            return (stepper, operations, .job(frame: place.frame.description, job: job))
        }
    }

    /// Where a step sits in its flow (read from its job hash), with the flow version's stepper.
    private func position(of step: JobID, flow: JobID, on connection: RedisConnection) throws -> (Place, FlowStepper)? {
        let fields =
            try connection.send(
                ["HMGET", .string(keys.job(step))] + [JobRecord.Field.frame, .cursor, .attempt, .flowHash].map { .string($0.rawValue) }
            ).array?.map(\.string) ?? []
        guard fields.count == 4, let frame = fields[0].flatMap(FrameID.init), let cursor = fields[1].flatMap({ Int($0) }), let hash = fields[3]
        else { return nil }
        let stepper = try definitions.stepper(hash: hash, flows: flows, on: connection)
        let place = Place(flow: flow, frame: frame, cursor: cursor, attempt: fields[2].flatMap { Int($0) } ?? 1, job: step)
        return (place, stepper)
    }
}

import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore

extension FlowEngine {
    /// The store operations that carry out a decision about the module at `place`.
    func operations(after followUp: StepFollowUp, at place: Place, stepper: FlowStepper, scope: StepScope, records: [String: JSONValue] = [:])
        -> [FlowOperation]
    {
        let definition = stepper.definition
        guard let module = definition.module(in: place.frame, at: place.cursor) else {
            return [.cancel(reason: "the flow has no module at \(place.frame) #\(place.cursor)", eventID: JobID.generate())]
        }
        let field = ResultReference(frame: place.frame, moduleID: module.id).field
        switch followUp {
        case .retry(let delay):
            return [
                .step(
                    StepCreation(
                        id: JobID.generate(), frame: place.frame.description, cursor: place.cursor, attempt: place.attempt + 1,
                        delayMilliseconds: Int(delay.wholeMilliseconds), template: Self.template(module)))
            ]
        case .next(let result, let delay):
            guard let following = definition.module(in: place.frame, at: place.cursor + 1) else {
                return [.record(field: field, value: result)]
                    + frameEnd(place.frame, .completed(module: module.id, result: result), stepper: stepper, scope: scope, records: records)
            }
            return [
                .record(field: field, value: result),
                .step(
                    StepCreation(
                        id: JobID.generate(), frame: place.frame.description, cursor: place.cursor + 1, attempt: 1,
                        delayMilliseconds: Int(delay.wholeMilliseconds), template: Self.template(following))),
            ]
        case .park(let result, let gate):
            return [
                .record(field: field, value: result),
                .park(
                    frame: place.frame.description, gate: place.job, timeoutMilliseconds: gate.settings.timeoutSeconds * 1000, page: gate.page,
                    eventID: JobID.generate()),
            ]
        case .endFrame(let end):
            var operations: [FlowOperation] = []
            switch end {
            case .completed(let id?, let result), .stopped(let id, let result, _), .stoppedWithError(let id, let result, _):
                operations.append(.record(field: ResultReference(frame: place.frame, moduleID: id).field, value: result))
            case .completed(nil, _), .failed, .canceled:
                break
            }
            return operations + frameEnd(place.frame, end, stepper: stepper, scope: scope, records: records)
        }
    }

    /// What a frame's end does: the flow ends (or its failure module starts), or the frame's
    /// container collects it.
    func frameEnd(_ frame: FrameID, _ end: FrameEnd, stepper: FlowStepper, scope: StepScope, records: [String: JSONValue]) -> [FlowOperation] {
        if frame == .main { return flowEnd(end, stepper: stepper) }
        if frame == .preprocessor { return preprocessed(end, stepper: stepper) }
        if frame == .failure {
            // The failure module ran (or failed): the flow still ends failed, with the original error.
            let original = scope.error?["message"]?.stringValue ?? "the flow failed"
            return [.finish(state: .failure, result: nil, error: original, skipped: false, eventID: JobID.generate())]
        }
        guard let container = frame.container, let child = frame.childIndex else {
            return [.cancel(reason: "the frame \(frame) is not a child of a container", eventID: JobID.generate())]
        }
        let ended = stepper.childEnded(
            frame, scope: scope, ending: end, tolerated: tolerates(container, child: child, definition: stepper.definition))
        let forget = (stepper.definition.modules(of: frame) ?? []).map { ResultReference(frame: frame, moduleID: $0.id).field }
        let result: JSONValue
        switch ended.outcome {
        case .success(let value): result = value
        case .failure: result = .null
        }
        var disposition: FlowOperation.JoinDisposition
        var message = ""
        switch ended.disposition {
        case .proceed: disposition = .proceed
        case .stopContainer: disposition = .stop
        case .failContainer(let why):
            disposition = .fail
            message = why
        case .endFlow(let ending):
            return flowEnd(ending, stepper: stepper)
        case .stopFrame(let stopped, let skipped):
            // The stop ends the container, and its own frame stops in turn.
            guard let owner = stepper.definition.module(in: container.frame, at: container.cursor),
                let waiting = records[container.frame.description]?[FrameRecord.Field.job.rawValue]?.stringValue.flatMap(JobID.init)
            else { return flowEnd(.stopped(module: "?", result: stopped, skipped: skipped), stepper: stepper) }
            return [
                .abandonContainer(container.description, job: waiting, result: stopped),
                .record(field: ResultReference(frame: container.frame, moduleID: owner.id).field, value: stopped),
            ]
                + frameEnd(
                    container.frame, .stopped(module: owner.id, result: stopped, skipped: skipped), stepper: stepper, scope: scope, records: records)
        }
        // A while loop's cap: the iteration that reaches max_iterations without stopping fails the
        // loop (one child runs at a time, so the record read with the step is the loop's count).
        if disposition == .proceed, let record = records[container.description],
            let maximum = record[ContainerRecord.Field.maximum.rawValue]?.intValue,
            let launched = record[ContainerRecord.Field.launched.rawValue]?.intValue, launched >= maximum
        {
            disposition = .fail
            message = "the while loop ran \(maximum) iterations without stopping (max_iterations)"
        }
        let launches = launchBudget(container, definition: stepper.definition)
        return [
            .join(
                container: container.description, child: child, result: result, disposition: disposition, message: message, forget: forget,
                ids: Self.newIDs(launches), eventID: JobID.generate())
        ]
    }

    /// The flow's end from its main frame's: success, cancellation, or failure — through the
    /// failure module when the flow has one.
    func flowEnd(_ end: FrameEnd, stepper: FlowStepper) -> [FlowOperation] {
        let failureMessage: String
        let failedModule: String
        switch end {
        case .completed(_, let result):
            return [.finish(state: .success, result: result, error: nil, skipped: false, eventID: JobID.generate())]
        case .stopped(_, let result, let skipped):
            return [.finish(state: .success, result: result, error: nil, skipped: skipped, eventID: JobID.generate())]
        case .canceled(let reason):
            return [.cancel(reason: reason, eventID: JobID.generate())]
        case .stoppedWithError(let module, _, let message):
            failureMessage = message
            failedModule = module
        case .failed(let module, let message):
            failureMessage = message
            failedModule = module
        }
        guard let failureModule = stepper.definition.failureModule else {
            return [.finish(state: .failure, result: nil, error: failureMessage, skipped: false, eventID: JobID.generate())]
        }
        return [
            .frame(id: FrameID.failure.description, set: [.error: .string(stepper.errorObject(failureMessage, moduleID: failedModule).jsonText)]),
            .step(
                StepCreation(id: JobID.generate(), frame: FrameID.failure.description, cursor: 0, attempt: 1, template: Self.template(failureModule))),
        ]
    }

    /// What a triggered run's preprocessor ending does: its result becomes the flow's input (an
    /// object, as a flow input is) and the first module starts; a failure ends the flow as a
    /// module's failure does.
    func preprocessed(_ end: FrameEnd, stepper: FlowStepper) -> [FlowOperation] {
        switch end {
        case .completed(_, let result), .stopped(_, let result, _):
            guard result.objectValue != nil else {
                return flowEnd(
                    .failed(module: "preprocessor", message: "the preprocessor returned \(result.typeName), not an object of the flow's inputs"),
                    stepper: stepper)
            }
            var input = result
            if let schema = stepper.definition.schema {
                do {
                    input = try JSONSchema(schema, lenient: true).validate(result)
                } catch {
                    return flowEnd(
                        .failed(module: "preprocessor", message: "the preprocessor's result is not a valid input: \(error)"), stepper: stepper)
                }
            }
            guard let first = stepper.definition.modules.first else {
                return [.setInput(input), .finish(state: .success, result: input, error: nil, skipped: false, eventID: JobID.generate())]
            }
            return [
                .setInput(input),
                .step(StepCreation(id: JobID.generate(), frame: FrameID.main.description, cursor: 0, attempt: 1, template: Self.template(first))),
            ]
        case .canceled, .failed, .stoppedWithError:
            return flowEnd(end, stepper: stepper)
        }
    }

    /// Whether a child's failure is recorded as its result rather than failing its container.
    func tolerates(_ container: ContainerID, child: Int, definition: FlowDefinition) -> Bool {
        definition.module(in: container.frame, at: container.cursor).flatMap { ContainerPolicy($0.value) }?.tolerates(child: child) ?? false
    }

    /// How many fresh job ids a join may need (``ContainerPolicy/launchBudget``; one when the
    /// module is not found, as for a loop).
    func launchBudget(_ container: ContainerID, definition: FlowDefinition) -> Int {
        definition.module(in: container.frame, at: container.cursor).flatMap { ContainerPolicy($0.value) }?.launchBudget ?? 1
    }

    /// The operations that open a container: its record, its loop's elements, its first children.
    func openOperations(_ opening: ContainerOpening, at place: Place, stepper: FlowStepper) -> [FlowOperation] {
        let container = ContainerID(frame: place.frame, cursor: place.cursor)
        guard let module = stepper.definition.module(in: place.frame, at: place.cursor) else { return [] }
        let lists = module.value.children
        func first(_ list: Int) -> StepTemplate? {
            lists.indices.contains(list) ? lists[list].first.map(Self.template) : nil
        }
        guard let policy = ContainerPolicy(module.value) else { return [] }
        var record = ContainerRecord(
            id: container.description, kind: policy.kind, job: place.job, count: opening.children.count, parallelism: max(1, opening.parallelism),
            previous: opening.previous)
        var items: [JSONValue]?
        switch module.value {
        case .forLoop:
            record.template = first(0)
            items = opening.items
        case .whileLoop(let loop):
            record.template = first(0)
            record.count = loop.maximumIterations
            record.maximum = loop.maximumIterations
            record.parallelism = 1
        case .branchOne:
            record.order = opening.children
            record.templates = lists.indices.map { first($0) }
        case .branchAll:
            record.templates = lists.indices.map { first($0) }
        case .rawScript, .script, .flow, .identity:
            return []
        }
        let launches = min(record.parallelism, record.count)
        return [.open(record, frame: place.frame.description, items: items, ids: Self.newIDs(launches), eventID: JobID.generate())]
    }

    /// The operations that start a subflow for the step at `place` and make the step wait for it.
    func subflowOperations(path: String, input: JSONValue, at place: Place, beginning: StepBeginning, on connection: RedisConnection) throws
        -> [FlowOperation]
    {
        let (stored, stepper) = try flowVersion(at: path, on: connection)
        let validatedInput = try validated(input, for: stepper.definition)
        let child = JobID.generate()
        let start = Start(
            id: child, path: path, input: validatedInput, queue: beginning.flowFields[JobRecord.Field.queue.rawValue] ?? beginning.job.queue,
            createdBy: beginning.flowFields[JobRecord.Field.createdBy.rawValue], environment: beginning.job.environment,
            maxDeliveries: beginning.job.maxDeliveries)
        return [
            .create(
                flow: child,
                fields: Self.flowFields(
                    start, hash: stored.hash, input: validatedInput, parent: (place.flow, place.job), sameWorker: stepper.definition.sameWorker))
        ]
            + firstOperations(flow: child, stepper: stepper, input: validatedInput, path: path)
            + [.link(job: place.job, subflow: child), .frame(id: place.frame.description, set: [.status: .string(FrameRecord.Status.wait.rawValue)])]
    }
}

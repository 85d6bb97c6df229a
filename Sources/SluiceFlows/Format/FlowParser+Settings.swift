public import SluiceCore

extension FlowParser {
    /// Reads a `retry` object on its own — the shape of a module's `retry` (`constant`,
    /// `exponential`, `retry_if`), which schedules reuse. Unknown fields come back as warnings.
    public func retryPolicy(_ node: JSONValue) throws(FlowFormatError) -> (policy: RetryPolicy, warnings: [String]) {
        var warnings: [String] = []
        let policy = try parseRetry(node, at: "retry", warnings: &warnings)
        return (policy, warnings)
    }

    func parseRetry(_ node: JSONValue, at location: String, warnings: inout [String]) throws(FlowFormatError) -> RetryPolicy {
        var reader = try ObjectReader(node, at: location)
        var policy = RetryPolicy()
        if let constant = reader.value("constant"), !constant.isNull {
            var constantReader = try ObjectReader(constant, at: reader.path("constant"))
            let attempts = try constantReader.integer("attempts") ?? 0
            let seconds = try constantReader.number("seconds") ?? 0
            guard seconds >= 0 else { throw FlowFormatError(at: constantReader.path("seconds"), "must not be negative") }
            constantReader.finish(warnings: &warnings)
            if attempts > 0 { policy.constant = RetryPolicy.Constant(attempts: attempts, seconds: seconds) }
        }
        if let exponential = reader.value("exponential"), !exponential.isNull {
            var exponentialReader = try ObjectReader(exponential, at: reader.path("exponential"))
            let attempts = try exponentialReader.integer("attempts") ?? 0
            let multiplier = try exponentialReader.number("multiplier") ?? 1
            let seconds = try exponentialReader.number("seconds") ?? 0
            let randomFactor = try exponentialReader.number("random_factor") ?? 0
            guard multiplier >= 0, seconds >= 0, (0...100).contains(randomFactor) else {
                throw FlowFormatError(at: exponentialReader.location, "multiplier and seconds must be ≥ 0 and random_factor between 0 and 100")
            }
            exponentialReader.finish(warnings: &warnings)
            if attempts > 0 {
                policy.exponential = RetryPolicy.Exponential(attempts: attempts, multiplier: multiplier, seconds: seconds, randomFactor: randomFactor)
            }
        }
        if let condition = reader.value("retry_if"), !condition.isNull {
            var conditionReader = try ObjectReader(condition, at: reader.path("retry_if"))
            let expression = try conditionReader.requiredString("expr")
            try checkExpression(expression, at: conditionReader.path("expr"))
            conditionReader.finish(warnings: &warnings)
            policy.retryIf = expression
        }
        reader.finish(warnings: &warnings)
        guard policy.maximumRetries <= 1000 else { throw FlowFormatError(at: location, "at most 1000 retries") }
        return policy
    }

    /// `timeout`: a number of seconds, or a transform (a `javascript` one is evaluated as the step starts).
    func parseTimeout(_ node: JSONValue, at location: String) throws(FlowFormatError) -> InputTransform {
        var value = node
        if node.memberList != nil {
            let transform = try parseTransform(node, at: location)
            guard case .staticValue(let constant) = transform else { return transform }
            value = constant
        }
        if value.isNull { return .staticValue(.null) }
        guard let seconds = value.numberValue, seconds > 0, seconds <= 30 * 24 * 3600 else {
            throw FlowFormatError(at: location, "expected a positive number of seconds")
        }
        return .staticValue(.number(seconds.rounded(.up)))
    }

    /// The gate a module's `suspend` asks for, or `nil` when it asks for none: as in Windmill, a
    /// module suspends only when `required_events` is above 0 (`suspend: {}` is no gate — the push
    /// warns, as that is rarely what the author meant).
    func parseSuspend(_ node: JSONValue, at location: String, warnings: inout [String]) throws(FlowFormatError) -> SuspendSettings? {
        var reader = try ObjectReader(node, at: location)
        var settings = SuspendSettings()
        guard let required = try reader.integer("required_events", minimum: 0), required > 0 else {
            warnings.append(
                "\(location): no gate — Windmill suspends only when required_events is above 0, and so does Sluice "
                    + "(write required_events: 1 to wait for one approval)")
            return nil
        }
        settings.requiredEvents = required
        if let timeout = try reader.integer("timeout", minimum: 1) { settings.timeoutSeconds = timeout }
        settings.continueOnDisapproveTimeout = try reader.bool("continue_on_disapprove_timeout") ?? false
        settings.selfApprovalDisabled = try reader.bool("self_approval_disabled") ?? false
        settings.userAuthRequired = try reader.bool("user_auth_required") ?? false
        settings.hideCancel = try reader.bool("hide_cancel") ?? false
        if let form = reader.value("resume_form"), !form.isNull {
            var formReader = try ObjectReader(form, at: reader.path("resume_form"))
            if let schema = formReader.value("schema"), !schema.isNull {
                do {
                    warnings += try JSONSchema(schema).ignored.map {
                        "\(formReader.path("schema")): \($0) is kept and not checked (it only shapes Windmill's UI)"
                    }
                } catch {
                    throw FlowFormatError(at: formReader.path("schema"), error.description)
                }
                settings.resumeFormSchema = schema
            }
            formReader.finish(known: FlowFields.resumeForm, warnings: &warnings)
        }
        if let groups = reader.value("user_groups_required"), !groups.isNull {
            let groupsLocation = reader.path("user_groups_required")
            if case .array(let names) = groups {
                guard names.allSatisfy({ $0.stringValue != nil }) else { throw FlowFormatError(at: groupsLocation, "expected group names") }
                settings.userGroupsRequired = .staticValue(groups)
            } else {
                settings.userGroupsRequired = try parseTransform(groups, at: groupsLocation)
            }
        }
        if let shown = reader.value("user_auth_required_message") ?? nil, !shown.isNull {
            warnings.append("\(reader.path("user_auth_required_message")): ignored")
        }
        reader.finish(warnings: &warnings)
        guard settings.requiredEvents <= 1000 else { throw FlowFormatError(at: reader.path("required_events"), "at most 1000") }
        return settings
    }
}

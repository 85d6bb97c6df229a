import SluiceCore

extension ChannelRequest {
    /// `wait`, `job_status`, `get_result`, `cancel_job`: each names a job by `id`.
    static func parseJobRequest(_ operation: String, _ message: JSONValue) -> Result<ChannelRequest, ChannelResponse> {
        guard let text = message["id"]?.stringValue else { return .failure(.invalid("\(operation) needs the id of a job this job started")) }
        guard let id = JobID(text) else { return .failure(.invalid("'\(text)' is not a job id")) }
        switch operation {
        case "wait":
            var timeout: Double?
            if let given = message["timeout"], given != .null {
                guard let seconds = given.numberValue, seconds > 0 else { return .failure(.invalid("timeout must be a number of seconds above 0")) }
                timeout = seconds
            }
            return .success(.wait(id, timeout: timeout))
        case "job_status": return .success(.jobStatus(id))
        case "get_result": return .success(.result(id))
        default:
            switch message["reason"] {
            case .none, .null?: return .success(.cancelJob(id, reason: nil))
            case .string(let reason)?: return .success(.cancelJob(id, reason: String(reason.prefix(1000))))
            default: return .failure(.invalid("reason must be a string"))
            }
        }
    }

    /// `set_variable` (`value` a string, `is_secret` and `description` optional) and `set_resource`
    /// (`value` any JSON, `type` optional).
    static func parseWrite(
        _ operation: String, _ message: JSONValue, path: () -> Result<String, ChannelResponse>
    ) -> Result<ChannelRequest, ChannelResponse> {
        let target: String
        switch path() {
        case .success(let given): target = given
        case .failure(let response): return .failure(response)
        }
        if operation == "set_resource" {
            guard let value = message["value"] else { return .failure(.invalid("set_resource needs a value")) }
            switch message["type"] {
            case .none, .null?: return .success(.setResource(path: target, value: value, type: nil))
            case .string(let type)? where !type.isEmpty && type.utf8.count <= 100:
                return .success(.setResource(path: target, value: value, type: type))
            default: return .failure(.invalid("type must be a resource type's name"))
            }
        }
        guard let value = message["value"]?.stringValue else { return .failure(.invalid("set_variable needs a value, a string")) }
        var secret: Bool?
        switch message["is_secret"] {
        case .none, .null?: secret = nil
        case .bool(let flag)?: secret = flag
        default: return .failure(.invalid("is_secret must be true or false"))
        }
        var description: String?
        switch message["description"] {
        case .none, .null?: description = nil
        case .string(let text)?: description = String(text.prefix(1000))
        default: return .failure(.invalid("description must be a string"))
        }
        return .success(.setVariable(path: target, value: value, secret: secret, description: description))
    }
}

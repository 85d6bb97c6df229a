import Logging
import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceSecrets
import SluiceStore
import Synchronization

/// Windmill's `set_variable` / `set_resource` through a job's channel: create the variable or
/// resource, or change its value, within ``CallRule``'s write rule — the job's own folder, and
/// an existing one's access rule. Each write applies only to the version the decision was made
/// from. A secret is sealed with the registered secrets key before it reaches Redis.
extension JobServices {
    func setVariable(_ path: String, value: String, secret: Bool?, description: String?) async throws -> ChannelResponse {
        guard let calls else { return Self.noWrites }
        let variables = VariableStore(keys: calls.jobs.keys)
        let existing = try await client.run { try variables.variable(at: path, on: $0) }
        guard CallRule.mayWrite(path, caller: caller, existing: existing?.access) else { return refused(writeRefusal(path, kind: "variable")) }
        // Windmill's `is_secret` chooses for a new variable; an existing one keeps its kind.
        let sealed = existing?.isSecret ?? (secret ?? false)
        let created = existing == nil
        var update: VariableUpdate
        if sealed {
            let keyring = calls.keyring
            guard let key = try await client.run({ try variables.registeredKey(on: $0) }) ?? keyring.keys.first?.publicKey else {
                return .failure(kind: "error", message: "no secrets key is registered: a secret cannot be set (sluice secrets keygen)")
            }
            update = VariableUpdate(path: path, value: .sealed(try SecretSeal.seal(value, path: path, to: key), publicKey: key))
            remember(SecretRedactor([value]))
        } else {
            if secrets.reveals(.string(value)) {
                return .failure(
                    kind: "error",
                    message: "the value holds a secret value this job read; a plain variable would keep it in Redis in clear (set it as a secret)")
            }
            update = VariableUpdate(path: path, value: .plain(value))
        }
        update.expectedVersion = existing?.version ?? 0
        if created {
            update.description = description ?? ""
            update.access = CallRule.ruleForCreated(by: caller)
        }
        let write = update
        try await client.run { _ = try variables.set(write, on: $0) }
        logger.info("a job set a variable", metadata: ["job.id": "\(job)", "path": "\(path)", "created": "\(created)"])
        return .value(.null)
    }

    func setResource(_ path: String, value: JSONValue, type: String?) async throws -> ChannelResponse {
        guard let calls else { return Self.noWrites }
        let resources = ResourceStore(keys: calls.jobs.keys)
        let existing = try await client.run { try resources.resource(at: path, on: $0) }
        guard CallRule.mayWrite(path, caller: caller, existing: existing?.access) else { return refused(writeRefusal(path, kind: "resource")) }
        if secrets.reveals(value) {
            return .failure(
                kind: "error",
                message:
                    "the value holds a secret value this job read; a resource would keep it in Redis in clear (reference the secret as \"$var:PATH\")"
            )
        }
        guard let resourceType = existing?.type ?? type else {
            return .failure(kind: "invalid", message: "resource '\(path)' does not exist: give its type to create it")
        }
        let caller = caller
        let version = existing?.version ?? 0
        try await client.run {
            _ = try resources.set(
                path: path, type: resourceType, value: value, access: existing == nil ? CallRule.ruleForCreated(by: caller) : nil,
                expectedVersion: version, on: $0)
        }
        logger.info("a job set a resource", metadata: ["job.id": "\(job)", "path": "\(path)", "created": "\(existing == nil)"])
        return .value(.null)
    }

    static let noWrites = ChannelResponse.failure(kind: "error", message: "this job cannot write variables or resources")

    func writeRefusal(_ path: String, kind: String) -> ChannelResponse {
        .failure(
            kind: "permission",
            message: "permission denied: \(caller) may write variables and resources of its own folder "
                + "(\(caller.paths.map(CallRule.folder(of:)).joined(separator: ", "))) that its access rules let it read; '\(path)' is not one")
    }
}

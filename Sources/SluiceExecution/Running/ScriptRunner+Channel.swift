extension ScriptRunner {
    /// What a job's environment gets for its channel: the socket and token, the helper commands
    /// first on `PATH`, the helper modules on `PYTHONPATH`.
    static func channelEnvironment(_ channel: JobChannel, helpers: String, path: String?) -> [String: String] {
        var environment = channel.environment
        environment["PATH"] = helpers + "/bin:" + (path ?? "/usr/bin:/bin")
        environment["PYTHONPATH"] = helpers + "/python"
        return environment
    }

    /// Runs `body` (the job's process) while answering the job's channel requests with `handler`:
    /// one after the other, except waits for other jobs, each answered beside the rest. When `body`
    /// ends the channel closes, and with it the token; waits still going are abandoned.
    func serving<Value>(_ channel: JobChannel?, with handler: (any JobChannelHandler)?, _ body: () async throws -> Value) async throws -> Value {
        guard let channel, let handler else { return try await body() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { waits in
                    for await call in channel.calls {
                        if call.request.waits {
                            waits.addTask { call.reply(await handler.handle(call.request)) }
                        } else {
                            call.reply(await handler.handle(call.request))
                        }
                    }
                    waits.cancelAll()
                }
            }
            defer {
                channel.close()
                group.cancelAll()
            }
            return try await body()
        }
    }
}

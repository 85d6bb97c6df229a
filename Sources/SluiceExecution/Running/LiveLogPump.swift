/// Sends what a running job has printed so far to its sink (the job's logs key in Redis, through
/// a fenced script) every `interval` while the job runs, when it changed — so its page in the
/// console and `sluice job logs` follow it. A job shorter than one interval sends nothing: its
/// logs are written once, with its outcome.
enum LiveLogPump {
    /// Runs `body`; meanwhile reads `source` every `interval` and hands changed, non-empty text to
    /// `sink`. Returns once `body` has returned and the pump has stopped (no send after that).
    static func running<Result: Sendable>(
        every interval: Duration, source: @escaping @Sendable () -> String, sink: (@Sendable (String) async -> Void)?,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        guard let sink else { return try await body() }
        let pump = Task {
            var last = ""
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                let text = source()
                if !text.isEmpty, text != last {
                    await sink(text)
                    last = text
                }
            }
        }
        defer { pump.cancel() }
        let result = try await body()
        pump.cancel()
        await pump.value
        return result
    }
}

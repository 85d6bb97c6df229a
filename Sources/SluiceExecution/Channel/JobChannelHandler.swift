public import SluiceCore

/// Answers one job's channel requests (see ``ChannelRequest``). The worker gives each job its own
/// (``JobServices``); the script runner serves it while the job runs.
public protocol JobChannelHandler: Sendable {
    func handle(_ request: ChannelRequest) async -> ChannelResponse

    /// The secret values the job read so far (through the channel or as it started).
    var secrets: SecretRedactor { get }
}

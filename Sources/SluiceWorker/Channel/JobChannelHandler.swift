/// Answers one job's channel requests (see ``ChannelRequest``). The worker gives each job its own
/// (``JobServices``); the script runner serves it while the job runs.
protocol JobChannelHandler: Sendable {
    func handle(_ request: ChannelRequest) async -> ChannelResponse
}

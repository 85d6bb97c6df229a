/// One job's channel: a Unix socket in the job's own scratch directory, listening while the job
/// runs, and the token every request must carry. The socket and the token die with ``close()``.
final class JobChannel: Sendable {
    /// One request from the job, with the way to answer it.
    struct Call: Sendable {
        let request: ChannelRequest
        let reply: @Sendable (ChannelResponse) -> Void
    }

    let id: Int
    /// The socket's path (inside the job's scratch directory).
    let path: String
    /// 256 random bits, hex: the job's credential on its channel.
    let token: String
    /// The job's requests, in order; finished when the channel closes.
    let calls: AsyncStream<Call>
    private let server: ChannelServer

    init(id: Int, path: String, token: String, calls: AsyncStream<Call>, server: ChannelServer) {
        self.id = id
        self.path = path
        self.token = token
        self.calls = calls
        self.server = server
    }

    /// What the job's environment gets: where the channel is and its token.
    var environment: [String: String] { ["SLUICE_CHANNEL": path, "SLUICE_CHANNEL_TOKEN": token] }

    /// Names the job's process: from then on it and its descendants may talk on the channel, no
    /// other process (see ``ProcessAncestry``).
    func admit(_ process: ProcessAncestry.JobProcess) {
        server.admit(id, process)
    }

    /// Stops listening, closes the job's connections, removes the socket; the token is dead.
    func close() {
        server.close(id)
    }
}

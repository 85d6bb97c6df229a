/// How big each scenario is: the figures for `make chaos`, a small version for the
/// short form inside `make test` (`--quick`).
struct ChaosScale: Sendable {
    var stormJobs: Int
    var stormFlows: Int
    var restartJobs: Int
    var stallJobs: Int
    /// How long CLIENT PAUSE holds Redis (past the 2 s lease either way).
    var stallPause: Double
    /// How long DEBUG SLEEP stalls Redis: past every client's 10 s read timeout at full scale.
    var stallSleep: Double
    var delayedJobs: Int
    var deadlineGates: Int
    var gracefulJobs: Int
    var gracefulStops: Int
    /// The longest graceful-scenario job (ms): some outlast the 1.5 s grace.
    var gracefulLongest: Int
    var parkedGates: Int
    var badRequests: Int
    var slowClients: Int
    /// Webhook keys delivered in the triggers scenario (a fifth of them twice).
    var deliveries: Int
    /// Gated flows approved, one a time at a steady rate, across a Sentinel failover (each mode).
    var failoverGates: Int = 1000
    /// Over how many seconds those approvals are spread.
    var failoverSeconds: Double = 20
    /// Whether the killed master also runs without --ack (on loopback it loses nothing: the frozen
    /// master shows the window); the short form leaves it out.
    var failoverKillWithoutAck = true

    static let full = ChaosScale(
        stormJobs: 10_000, stormFlows: 500, restartJobs: 3000, stallJobs: 400, stallPause: 3.5, stallSleep: 12, delayedJobs: 1000, deadlineGates: 200,
        gracefulJobs: 300, gracefulStops: 3, gracefulLongest: 3000,
        parkedGates: 1000, badRequests: 100_000, slowClients: 200, deliveries: 3000)

    static let quick = ChaosScale(
        stormJobs: 400, stormFlows: 30, restartJobs: 300, stallJobs: 60, stallPause: 2.5, stallSleep: 3, delayedJobs: 150, deadlineGates: 30,
        gracefulJobs: 80, gracefulStops: 2, gracefulLongest: 2000,
        parkedGates: 60, badRequests: 3000, slowClients: 30, deliveries: 300, failoverGates: 100, failoverSeconds: 6,
        failoverKillWithoutAck: false)
}

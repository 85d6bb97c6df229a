import Logging
import SluiceCommandLine
import SluiceExecution
import SluiceRedis
import SluiceWorker

/// At start-up: a worker whose jobs could use its Redis without credentials refuses to start,
/// unless told to (`--allow-unauthenticated-redis`), and then warns every time.
enum RedisExposureCheck {
    static func check(_ configurations: [RedisConfiguration], sandbox: SandboxSettings, allowed: Bool, logger: Logger) throws {
        var open: [String] = []
        for configuration in configurations {
            for server in RedisExposure.openServers(configuration, sandbox: sandbox) where !open.contains(server) { open.append(server) }
        }
        guard !open.isEmpty else { return }
        let why =
            "Redis at \(open.joined(separator: ", ")) answers without a password, and jobs "
            + (sandbox.mode == .none ? "are not sandboxed" : "have the network")
            + ": a job could connect to it, read gates' secrets, approve flows and read other jobs' arguments"
        if allowed {
            logger.warning("\(why) (allowed by --allow-unauthenticated-redis)")
            return
        }
        throw CommandFailure(
            why + ". Give Redis a password or an ACL user (requirepass, and redis://:PASSWORD@host in SLUICE_REDIS_URL), "
                + "or cut jobs off the network with --sandbox-no-network, or start anyway with --allow-unauthenticated-redis (docs/security.md)")
    }
}

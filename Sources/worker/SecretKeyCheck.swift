import Logging
import SluiceCommandLine
import SluiceExecution
import SluiceSecrets
import SluiceStore
import SluiceWorker

/// The worker's secrets keys, read at start-up: a key file that sandboxed jobs could read is
/// refused (jobs run as the worker's user), with the way out.
enum SecretKeyCheck {
    static func keyring(_ options: SecretKeyOptions, sandbox: SandboxSettings, logger: Logger) throws -> SecretKeyring {
        let keyring = try options.keyring()
        for path in options.paths {
            guard let visible = sandbox.exposure(of: path) else { continue }
            if sandbox.mode == .none {
                logger.warning("without a sandbox, jobs can read the secrets key file", metadata: ["file": "\(path)"])
                continue
            }
            throw CommandFailure(
                "the secrets key \(path) would be readable by jobs (the sandbox shows \(visible)): keep it under /etc/sluice (hidden from jobs) "
                    + "or outside the visible paths, or hide it with --sandbox-hide")
        }
        if !keyring.keys.isEmpty { logger.info("secrets keys loaded", metadata: ["keys": "\(keyring.ids.joined(separator: ","))"]) }
        return keyring
    }
}

import ArgumentParser
import Dispatch
import Foundation
import Hummingbird
import Logging
import SluiceCommandLine
import SluiceConsole
import SluiceStore
import Synchronization

/// `sluice console`: the web console, on loopback by default. Parsing and wiring only; the
/// console is `SluiceConsole`.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Serve the web console (overview, jobs, live updates) on loopback; Ctrl-C stops it."
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "HOST:PORT to listen on (default 127.0.0.1:8080). Only a loopback host is served without --auth token.")
    var listen: String = ListenAddress.default.description
    @Option(help: "How operators are checked: none (loopback only). Operator tokens (--auth token) are not built yet.")
    var auth: String = "none"
    @Option(name: .customLong("as"), help: "The operator name console actions are recorded under (default: $USER).")
    var operatorName: String?
    @Option(help: "The resumer's public URL, for minting approval links on the gates page (env SLUICE_PUBLIC_URL).")
    var resumerURL: String?
    @Option(help: "Redis connections for requests and live streams (default 4).") var connections: Int = 4

    func validate() throws {
        guard let address = ListenAddress(listen) else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080") }
        switch auth {
        case "none":
            if !address.isLoopback {
                throw ValidationError(
                    "--listen \(listen) is not a loopback address: the console holds the operator's Redis access, so it is served elsewhere only with --auth token"
                )
            }
        case "token": throw ValidationError("--auth token is not built yet: serve the console on loopback (and reach it through an SSH tunnel)")
        default: throw ValidationError("--auth must be none or token")
        }
        if !(1...64).contains(connections) { throw ValidationError("--connections must be between 1 and 64") }
        if let operatorName, operatorName.isEmpty || operatorName.count > 128 { throw ValidationError("--as must be 1 to 128 characters") }
    }

    func run() throws {
        guard let address = ListenAddress(listen) else { throw ValidationError("--listen must be HOST:PORT") }
        let keys = try connection.singlePrefix()
        let settings = ConsoleSettings(
            redis: try connection.redisConfiguration(for: keys), keys: keys, store: try connection.storeSettings(), listen: address,
            operatorName: operatorName ?? Environment.value("USER") ?? "operator",
            resumerURL: resumerURL ?? Environment.value("SLUICE_PUBLIC_URL"), connections: connections)
        var logger = Logger(label: "sluice.console")
        logger.logLevel = .warning
        let console: Console
        do {
            console = try Console(settings: settings, logger: logger)
        } catch {
            throw CommandFailure("\(error)")
        }
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        let prefixName = keys.name
        let application = console.application { port in
            FileHandle.standardOutput.write(Data("Sluice console on http://\(host):\(port)/ (prefix \(prefixName)); Ctrl-C stops it.\n".utf8))
        }
        // The root command is synchronous: the server runs on Swift's executor while this thread waits.
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        Task {
            do {
                try await application.runService()
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            finished.signal()
        }
        finished.wait()
        if let message = failure.withLock({ $0 }) { throw CommandFailure(message) }
    }
}

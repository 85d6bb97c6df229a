import ArgumentParser
import Dispatch
import Foundation
import Hummingbird
import Logging
import SluiceCommandLine
import SluiceConsole
import SluiceStore
import Synchronization

/// `sluice console [serve]`: the web console, on loopback by default (`--auth token` for any
/// other address); `sluice console token create|list|revoke`: operator tokens. Parsing and
/// wiring only; the console is `SluiceConsole`.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The web console: serve it (the default), or manage operator tokens.",
        subcommands: [ConsoleServeCommand.self, ConsoleTokenCommand.self],
        defaultSubcommand: ConsoleServeCommand.self
    )
}

/// `sluice console serve` (the default).
struct ConsoleServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web console (loopback only unless --auth token); Ctrl-C stops it."
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "HOST:PORT to listen on (default 127.0.0.1:8080). Only a loopback host is served without --auth token.")
    var listen: String = ListenAddress.default.description
    @Option(
        help: "How operators are checked: none (loopback only, acting as --as) or token (a login page; tokens from 'sluice console token create').")
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
        case "token": break
        default: throw ValidationError("--auth must be none or token")
        }
        if !(1...64).contains(connections) { throw ValidationError("--connections must be between 1 and 64") }
        if let operatorName, operatorName.isEmpty || operatorName.count > 128 { throw ValidationError("--as must be 1 to 128 characters") }
    }

    func run() throws {
        guard let address = ListenAddress(listen) else { throw ValidationError("--listen must be HOST:PORT") }
        let keys = try connection.singlePrefix()
        var settings = ConsoleSettings(
            redis: try connection.redisConfiguration(for: keys), keys: keys, store: try connection.storeSettings(), listen: address,
            operatorName: operatorName ?? Environment.value("USER") ?? "operator",
            resumerURL: resumerURL ?? Environment.value("SLUICE_PUBLIC_URL"), connections: connections)
        settings.operatorTokens = auth == "token"
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

/// `sluice console token create|list|revoke`.
struct ConsoleTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Operator tokens for a console served with --auth token (kept hashed; shown once).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token for an operator and print it (only its hash is kept).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The operator's name (recorded with their console actions).") var name: String

        func validate() throws {
            if name.isEmpty || name.count > 128 { throw ValidationError("the name must be 1 to 128 characters") }
        }

        func run() throws {
            let session = try Session(connection)
            print(try session.perform { try OperatorTokens(keys: session.jobs.keys).create(name: name, on: session.connection) })
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List operators with tokens (never the tokens).")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let session = try Session(connection)
            for entry in try session.perform({ try OperatorTokens(keys: session.jobs.keys).list(on: session.connection) }) {
                print("\(entry.name)\t\(Date(timeIntervalSince1970: Double(entry.createdAt) / 1000).formatted(.iso8601))")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every token of an operator: their sessions end at their next request.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The operator's name.") var name: String

        func run() throws {
            let session = try Session(connection)
            let count = try session.perform { try OperatorTokens(keys: session.jobs.keys).revoke(name: name, on: session.connection) }
            print(count == 0 ? "\(name) had no token" : "revoked \(count) token(s) of \(name)")
        }
    }
}

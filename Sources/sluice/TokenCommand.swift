import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceRedis
import SluiceStore

/// `sluice token create|list|revoke`: tokens that let outside systems start scripts and flows.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Tokens for webhooks and routes: what they may run, until when (docs/triggers.md).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token and print it once (Redis keeps only its hash): sluice token create github --scope 'run:f/ops/*'.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The token's name (shown in job show as what started a run).") var name: String
        @Option(
            help:
                "What it may run, repeatable: run:PATH, run:PREFIX* (run:f/ops/*), run:*; or Windmill's jobs:run, jobs:run:scripts[:PATHS], jobs:run:flows[:PATHS]."
        )
        var scope: [String] = []
        @Option(help: "When it stops working: 90d, 12h, 30m or seconds (default: never).") var expires: String?
        @Option(help: "Deliveries it may start: 10/s, 600/m, 1000/h (default: no limit).") var rate: String?
        @Option(help: "With --rate: how many at once (default: the rate per second, at least 1).") var burst: Int?
        @Option(name: .customLong("as"), help: "Who makes it (recorded).") var createdBy: String?

        func validate() throws {
            guard !scope.isEmpty else { throw ValidationError("give at least one --scope, e.g. --scope 'run:f/ops/*'") }
            guard ScheduleName.isValid(name), !name.contains("/") else {
                throw ValidationError("invalid token name '\(name)' (letters, digits, _ - .)")
            }
            for text in scope where TokenScope(text) == nil {
                throw ValidationError("invalid scope '\(text)' (run:PATH, run:PREFIX*, run:*, jobs:run[:scripts|flows[:PATHS]])")
            }
            if let expires, DurationParsing.withUnit(expires) == nil { throw ValidationError("--expires must be like 90d, 12h, 30m or seconds") }
            if let rate, DurationParsing.rate(rate) == nil { throw ValidationError("--rate must be like 10/s, 600/m or 1000/h") }
            if let burst, burst < 1 { throw ValidationError("--burst must be at least 1") }
        }

        func run() throws {
            let session = try Session(connection)
            let now = try session.perform { try session.connection.serverMilliseconds() }
            let expiresAt = expires.flatMap(DurationParsing.withUnit).map { now + Int64($0.wholeMilliseconds) }
            let limit = rate.flatMap(DurationParsing.rate).map { RateLimit(perSecond: $0, burst: burst ?? max(1, Int($0.rounded(.up)))) }
            let store = TokenStore(keys: session.jobs.keys)
            let token = try session.perform {
                try store.create(
                    name: name, scopes: scope.compactMap(TokenScope.init), expiresAt: expiresAt, rate: limit,
                    createdBy: createdBy ?? TerminalPrompter.loginName, on: session.connection)
            }
            print(token.text)
            FileHandle.standardError.write(
                Data(
                    "token \(name) created: \(scope.joined(separator: ", "))\(expiresAt.map { "; expires " + JobPresenter.timestamp($0) } ?? ""). It is shown only now: keep it where its sender reads it.\n"
                        .utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (names, scopes, expiry — never the tokens).")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let session = try Session(connection)
            let tokens = try session.perform { try TokenStore(keys: session.jobs.keys).list(on: session.connection) }
            guard !tokens.isEmpty else {
                print("no tokens (make one with: sluice token create NAME --scope 'run:f/ops/*')")
                return
            }
            var rows = [["NAME", "SCOPES", "RATE", "CREATED", "EXPIRES", "BY"]]
            for token in tokens {
                rows.append([
                    token.name, token.scopes.map(\.description).joined(separator: " "),
                    token.rate.map { "\(JSONValue.format(number: $0.perSecond))/s burst \($0.burst)" } ?? "-",
                    JobPresenter.timestamp(token.createdAt),
                    token.expiresAt.map(JobPresenter.timestamp) ?? "never", token.createdBy,
                ])
            }
            print(Table.render(rows))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: from now on it is refused as an unknown one.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The token's name.") var name: String

        func run() throws {
            let session = try Session(connection)
            guard try session.perform({ try TokenStore(keys: session.jobs.keys).revoke(name: name, on: session.connection) }) else {
                throw CommandFailure("no token named '\(name)'")
            }
            print("token \(name) revoked")
        }
    }
}

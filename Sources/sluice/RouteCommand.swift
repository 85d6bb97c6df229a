import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceStore
import SluiceTriggers

/// `sluice route set|list|delete`: HTTP routes (`/api/r/<path>`) bound to scripts and flows.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "HTTP routes served by the resumer at /api/r/<path>, each starting a script or flow (docs/triggers.md).",
        subcommands: [Set.self, List.self, Delete.self]
    )

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create or replace a route: sluice route set POST hooks/github f/ops/on_push --auth hmac-sha256 --secret-variable f/ops/github_secret.",
            discussion: """
                PATH is served at /api/r/PATH; segments :name match one segment and a last *name the rest, passed to a preprocessor \
                as params. By default the answer is the run's result (waiting --sync-wait on the resumer, then 202); --async \
                answers the run's id at once.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "GET, POST, PUT, DELETE or PATCH.") var method: String
        @Argument(help: "The path below /api/r/, e.g. hooks/github or users/:id.") var path: String
        @Argument(help: "The script or flow it starts.") var target: String
        @Option(help: "token (a token whose scope covers the target), none (anyone), or hmac-sha256 (a signed body).") var auth: String = "token"
        @Option(help: "With hmac-sha256: the variable holding the signing secret (the resumer opens secrets with --secret-key).")
        var secretVariable: String?
        @Option(
            help: "With hmac-sha256: the header with the signature (default per style: X-Hub-Signature-256, Stripe-Signature, X-Slack-Signature).")
        var signatureHeader: String?
        @Option(help: "With hmac-sha256: github (sha256=<hex>), stripe (t=…,v1=…), slack (v0=…) or hex.") var signatureStyle: String = "github"
        @Option(
            help: "Where a delivery's idempotency key is: a header (X-GitHub-Delivery) or body.FIELD (body.update_id); Idempotency-Key always counts."
        )
        var idempotencyKey: String?
        @Option(help: "How long a delivery's key is remembered, in seconds (default: the resumer's --idempotency-window).")
        var idempotencyWindow: Int = 0
        @Option(help: "The queue its runs go to (default 'default').") var queue: String = "default"
        @Option(help: "Requests it accepts: 10/s, 600/m (default: no limit); more get 429.") var rate: String?
        @Option(help: "With --rate: how many at once.") var burst: Int?
        @Flag(help: "Answer with the run's id at once instead of its result.") var async = false
        @Flag(help: "Pass the raw body as the argument raw_string too.") var rawString = false

        func validate() throws {
            guard ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(method.uppercased()) else {
                throw ValidationError("METHOD must be GET, POST, PUT, DELETE or PATCH")
            }
            guard RoutePattern(path) != nil else {
                throw ValidationError("invalid route path '\(path)' (segments of letters, digits, - _; :name; a last *name)")
            }
            guard ScriptPath(target) != nil else { throw ValidationError("invalid target path '\(target)'") }
            guard ["token", "none", "hmac-sha256"].contains(auth) else { throw ValidationError("--auth must be token, none or hmac-sha256") }
            if auth == "hmac-sha256" {
                guard let secretVariable, ScriptPath(secretVariable) != nil else {
                    throw ValidationError("--auth hmac-sha256 needs --secret-variable PATH")
                }
                guard SignatureCheck.Style(rawValue: signatureStyle) != nil else {
                    throw ValidationError("--signature-style must be github, stripe, slack or hex")
                }
            }
            guard QueueName.isValid(queue) else { throw ValidationError("invalid queue name '\(queue)'") }
            if let rate, DurationParsing.rate(rate) == nil { throw ValidationError("--rate must be like 10/s or 600/m") }
            guard (0...(30 * 86_400)).contains(idempotencyWindow) else { throw ValidationError("--idempotency-window must be at most 30 days") }
        }

        func run() throws {
            guard let pattern = RoutePattern(path) else { throw CommandFailure("invalid route path '\(path)'") }
            var authentication = TriggerRoute.Authentication.token
            if auth == "none" { authentication = .none }
            if auth == "hmac-sha256", let secretVariable, let style = SignatureCheck.Style(rawValue: signatureStyle) {
                let header =
                    signatureHeader
                    ?? [.github: "X-Hub-Signature-256", .stripe: "Stripe-Signature", .slack: "X-Slack-Signature", .hex: "X-Signature"][style]
                    ?? "X-Signature"
                authentication = .signature(SignatureCheck(secretVariable: secretVariable, header: header, style: style))
            }
            var route = TriggerRoute(
                method: method.uppercased(), path: pattern.description, target: target, authentication: authentication,
                idempotencyKey: idempotencyKey, idempotencyWindow: idempotencyWindow, queue: queue,
                rate: rate.flatMap(DurationParsing.rate).map { RateLimit(perSecond: $0, burst: burst ?? max(1, Int($0.rounded(.up)))) },
                waitsForResult: !async)
            route.keepsRawString = rawString
            let session = try Session(connection)
            let holds = try session.perform {
                try FlowStore(keys: session.jobs.keys).flow(at: target, on: session.connection) != nil
                    || session.scripts.script(at: target, on: session.connection) != nil
            }
            if !holds {
                FileHandle.standardError.write(Data("warning: nothing is pushed at \(target) yet: the route answers 404 until it is\n".utf8))
            }
            let created = try session.perform { try RouteStore(keys: session.jobs.keys).set(route, on: session.connection) }
            print("route \(route.name) → \(target) \(created ? "created" : "replaced") (/api/r/\(pattern.description), auth \(auth))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List routes.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let session = try Session(connection)
            let routes = try session.perform { try RouteStore(keys: session.jobs.keys).list(on: session.connection) }
            guard !routes.isEmpty else {
                print("no routes (make one with: sluice route set POST hooks/x f/ops/x)")
                return
            }
            var rows = [["METHOD", "PATH", "TARGET", "AUTH", "ANSWER", "QUEUE", "RATE"]]
            for route in routes {
                let auth: String
                switch route.authentication {
                case .none: auth = "none"
                case .token: auth = "token"
                case .signature(let check): auth = "hmac-sha256 (\(check.style.rawValue), \(check.header), \(check.secretVariable))"
                }
                rows.append([
                    route.method, "/api/r/" + route.path, route.target, auth, route.waitsForResult ? "result" : "id", route.queue,
                    route.rate.map { "\(JSONValue.format(number: $0.perSecond))/s" } ?? "-",
                ])
            }
            print(Table.render(rows))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a route.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Its method.") var method: String
        @Argument(help: "Its path.") var path: String

        func run() throws {
            let normalized = RoutePattern(path)?.description ?? path
            let session = try Session(connection)
            guard
                try session.perform({
                    try RouteStore(keys: session.jobs.keys).delete(method: method.uppercased(), path: normalized, on: session.connection)
                })
            else { throw CommandFailure("no route \(method.uppercased()) \(normalized)") }
            print("route \(method.uppercased()) \(normalized) deleted")
        }
    }
}

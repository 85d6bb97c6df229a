public import SluiceCore

/// An HTTP route bound to a script or flow: `POST /hooks/github` → `f/ops/on_push`, with how a
/// request proves it may start it, what makes two requests one delivery, and its limits.
public struct TriggerRoute: Sendable, Equatable {
    /// How a request to the route is authenticated, before anything else is read.
    public enum Authentication: Sendable, Equatable {
        /// Anyone who can reach the resumer.
        case none
        /// A trigger token whose scope covers the route's target (`Authorization: Bearer` or `?token=`).
        case token
        /// An HMAC-SHA256 of the raw body with the secret held in a variable, in a header, in a
        /// sender's style (GitHub, Stripe, Slack, or the plain hex digest).
        case signature(SignatureCheck)
    }

    /// The method, upper case (`POST`).
    public var method: String
    /// The path below `/api/r/`, segments `:name` matching anything (e.g. `hooks/:repo/push`).
    public var path: String
    /// The script or flow it starts.
    public var target: String
    public var authentication: Authentication
    /// Where a delivery's idempotency key is: a header (`X-GitHub-Delivery`), or a body field
    /// (`body.update_id`); `nil`: only the `Idempotency-Key` header.
    public var idempotencyKey: String?
    /// How long a delivery's key is remembered, in seconds.
    public var idempotencyWindow: Int
    /// The queue its runs go to.
    public var queue: String
    /// Requests per second, and the burst; `nil`: no limit.
    public var rate: RateLimit?
    /// Answer with the run's result (waiting a bounded time) instead of its id at once.
    public var waitsForResult: Bool
    /// Pass the raw body as the argument `raw_string` too (always, for a route checking signatures).
    public var keepsRawString = false

    public init(
        method: String, path: String, target: String, authentication: Authentication = .token, idempotencyKey: String? = nil,
        idempotencyWindow: Int = 86_400, queue: String = JobDefaults.queue, rate: RateLimit? = nil, waitsForResult: Bool = false
    ) {
        self.method = method
        self.path = path
        self.target = target
        self.authentication = authentication
        self.idempotencyKey = idempotencyKey
        self.idempotencyWindow = idempotencyWindow
        self.queue = queue
        self.rate = rate
        self.waitsForResult = waitsForResult
    }

    /// `METHOD path`: the route's name and its field in the routes hash.
    public var name: String { method + " " + path }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("method", .string(method)), ("path", .string(path)), ("target", .string(target)),
            ("window", .number(Double(idempotencyWindow))), ("queue", .string(queue)), ("wait", .bool(waitsForResult)),
            ("raw_string", .bool(keepsRawString)),
        ]
        switch authentication {
        case .none: members.append(("auth", "none"))
        case .token: members.append(("auth", "token"))
        case .signature(let check):
            members += [
                ("auth", "signature"), ("secret_variable", .string(check.secretVariable)), ("header", .string(check.header)),
                ("style", .string(check.style.rawValue)),
            ]
        }
        if let idempotencyKey { members.append(("idempotency_key", .string(idempotencyKey))) }
        if let rate { members += [("rate", .number(rate.perSecond)), ("burst", .number(Double(rate.burst)))] }
        return JSONValue(members: members)
    }

    /// Reads a stored route; `nil` when it is incomplete.
    public init?(json: JSONValue) {
        guard let method = json["method"]?.stringValue, let path = json["path"]?.stringValue, let target = json["target"]?.stringValue else {
            return nil
        }
        var authentication: Authentication
        switch json["auth"]?.stringValue {
        case "none": authentication = .none
        case "signature":
            guard let variable = json["secret_variable"]?.stringValue, let header = json["header"]?.stringValue,
                let style = json["style"]?.stringValue.flatMap(SignatureCheck.Style.init(rawValue:))
            else { return nil }
            authentication = .signature(SignatureCheck(secretVariable: variable, header: header, style: style))
        default: authentication = .token
        }
        var rate: RateLimit?
        if let perSecond = json["rate"]?.numberValue, let burst = json["burst"]?.intValue { rate = RateLimit(perSecond: perSecond, burst: burst) }
        self.init(
            method: method, path: path, target: target, authentication: authentication, idempotencyKey: json["idempotency_key"]?.stringValue,
            idempotencyWindow: json["window"]?.intValue ?? 86_400, queue: json["queue"]?.stringValue ?? JobDefaults.queue, rate: rate,
            waitsForResult: json["wait"]?.boolValue ?? false)
        keepsRawString = json["raw_string"]?.boolValue ?? false
    }
}

/// How a route checks a sender's signature.
public struct SignatureCheck: Sendable, Equatable {
    /// How the signature is written and what it covers.
    public enum Style: String, Sendable, CaseIterable {
        /// GitHub: `X-Hub-Signature-256: sha256=<hex>` over the raw body.
        case github
        /// Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>` over `<t>.<body>`, `t` within 5 minutes.
        case stripe
        /// Slack: `X-Slack-Signature: v0=<hex>` over `v0:<X-Slack-Request-Timestamp>:<body>`, within 5 minutes.
        case slack
        /// The hex (or `sha256=`-prefixed hex) digest of the raw body, in the header.
        case hex
    }

    /// The variable (usually a secret) holding the signing secret.
    public var secretVariable: String
    /// The header carrying the signature.
    public var header: String
    public var style: Style

    public init(secretVariable: String, header: String, style: Style) {
        self.secretVariable = secretVariable
        self.header = header
        self.style = style
    }
}

/// A token bucket: `perSecond` on average, `burst` at once.
public struct RateLimit: Sendable, Equatable {
    public var perSecond: Double
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// The fields of a bucket's hash (`P:rate:<subject>`), written only by `take_rate` (the Lua
    /// prelude carries them as `RATE_BUCKET.<stored name>`).
    public enum BucketField: String, CaseIterable, Sendable {
        /// The requests left, a fraction while it refills.
        case tokens
        /// When they were counted (ms, Redis's clock).
        case at
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTriggers
import Synchronization

/// The handlers behind webhooks (Windmill's URLs: `/api/w/<prefix>/jobs/run/p|f/<path>`,
/// `run_wait_result`, the result reads) and HTTP routes (`/api/r/<route>`). Answers as Windmill
/// gives them (201 and the bare job id; the result as JSON, 422 when the run failed), except
/// where safety asks for more: a token is checked against the path before anything is read, and
/// every token failure answers as a path that holds nothing does; a synchronous request that
/// outlives its wait gets `202` and where to read the result (the run goes on).
struct TriggerRoutes: Sendable {
    /// One served prefix: its name in URLs (`/api/w/<name>/...`), its desk and Redis clients.
    struct Served: Sendable {
        let name: String
        let desk: TriggerDesk
        let pool: RedisClientPool
    }

    let served: [Served]
    /// Connections for synchronous requests' waits (each blocks one while it waits).
    let waiters: RedisClientPool
    let waiting: WaitingCount
    let settings: TriggerSettings
    let bodyLimit: Int
    let publicURL: String
    let metrics: ResumerMetrics
    let logger: Logger

    init(
        served: [Served], redis: RedisConfiguration, settings: TriggerSettings, bodyLimit: Int, publicURL: String, metrics: ResumerMetrics,
        logger: Logger
    ) {
        self.served = served
        waiters = RedisClientPool(configuration: redis, size: max(1, settings.maxWaiting), label: "sluice.resumer.waiters")
        waiting = WaitingCount()
        self.settings = settings
        self.bodyLimit = bodyLimit
        self.publicURL = publicURL
        self.metrics = metrics
        self.logger = logger
    }

    static let notFound = "Not found: no script or flow at this path that this token may run\n"

    // MARK: - Webhooks

    /// `POST .../jobs/run/p|f/<path>` (answers the id at once) and `.../run_wait_result/p|f/<path>`
    /// (POST, or GET with `?payload=`: answers the result).
    func run(_ request: Request, _ context: some RequestContext, flow: Bool, wait: Bool) async -> Response {
        let path = context.parameters.getCatchAll().joined(separator: "/")
        let prefix = served.first { $0.name == context.parameters.get("workspace") }
        let read = await read(request)
        guard case .success(let trigger) = read else { return failure(read) }
        var payload: JSONValue?
        if request.method == .get {
            guard let encoded = trigger.queryValue("payload") else {
                return refuse(.badRequest, "invalid", "GET needs ?payload= (base64 of a JSON object)\n")
            }
            guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
                let value = try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth), value.objectValue != nil
            else { return refuse(.badRequest, "invalid", "payload is not the base64 of a JSON object\n") }
            payload = value
        }
        let input: WebhookInput
        do {
            input = try WebhookBody.input(trigger, payload: payload)
        } catch {
            return refuse(error.status == .badRequest ? .badRequest : .unsupportedMediaType, "invalid", "Bad request: \(error)\n")
        }
        let desk = (prefix ?? served[0]).desk
        let pool = (prefix ?? served[0]).pool
        let window = settings.idempotencyWindow
        let key = trigger.header("Idempotency-Key")
        let outcome: Result<TriggerDesk.Started?, any Error> = await run(pool) { connection in
            let now = try desk.now(on: connection)
            guard let target = try desk.authorize(presented: trigger.presentedToken, path: path, flow: flow, now: now, on: connection), prefix != nil
            else { return nil }
            if let limit = target.token?.rate, try desk.takeRate("token:" + (target.token?.id ?? ""), limit: limit, on: connection) > 0 {
                throw RateLimited()
            }
            let delivery = key.map { Delivery(scope: "run:\(flow ? "f" : "p"):\(path)", key: $0, windowMilliseconds: window * 1000) }
            let launch = TriggerDesk.Launch(trigger: "webhook \(target.token?.name ?? "")", delivery: delivery)
            return try desk.start(target, input: input, launch: launch, now: now, on: connection)
        }
        return await answer(outcome, wait: wait, desk: desk, workspace: (prefix ?? served[0]).name, token: trigger.presentedToken)
    }

    /// `GET .../jobs_u/completed/get_result/<id>`: the result of a finished run (404 before).
    func result(_ request: Request, _ context: some RequestContext) async -> Response {
        switch await job(request, context) {
        case .success(let job?) where job.state.isFinal:
            metrics.trigger("read")
            return .json(job.state == .success ? .ok : .unprocessableContent, Self.result(of: job))
        case .success: return refuse(.notFound, "not_found", "Not found: no finished run with this id that this token may read\n")
        case .failure(let error): return unavailable(error)
        }
    }

    /// `GET .../jobs_u/completed/get_result_maybe/<id>`: always 200 — `{completed, success, started, result}`.
    func resultMaybe(_ request: Request, _ context: some RequestContext) async -> Response {
        switch await job(request, context) {
        case .success(let job):
            metrics.trigger("read")
            guard let job, job.state.isFinal else {
                return .json(
                    .ok,
                    [
                        "started": job.map { .bool($0.state != .queued && $0.state != .scheduled) } ?? .null, "completed": false, "success": .null,
                        "result": .null,
                    ])
            }
            return .json(.ok, ["started": true, "completed": true, "success": .bool(job.state == .success), "result": Self.result(of: job)])
        case .failure(let error): return unavailable(error)
        }
    }

    /// `GET .../jobs_u/get/<id>`: the run's state, as Windmill's `QueuedJob` / `CompletedJob`.
    func status(_ request: Request, _ context: some RequestContext) async -> Response {
        switch await job(request, context) {
        case .success(let job?):
            metrics.trigger("read")
            var members: [(String, JSONValue)] = [
                ("type", .string(job.state.isFinal ? "CompletedJob" : "QueuedJob")), ("id", .string(job.id.rawValue)),
                ("state", .string(job.state.rawValue)), ("job_kind", .string(job.kind == .flow ? "flow" : "script")),
                ("script_path", job.path.map(JSONValue.string) ?? .null), ("created_at", .number(Double(job.createdAt))),
                ("running", .bool(job.state == .running || job.state == .suspended)),
            ]
            if job.state.isFinal {
                members += [("success", .bool(job.state == .success)), ("canceled", .bool(job.state == .canceled)), ("result", Self.result(of: job))]
            }
            return .json(.ok, JSONValue(members: members))
        case .success(nil): return refuse(.notFound, "not_found", "Not found: no run with this id that this token may read\n")
        case .failure(let error): return unavailable(error)
        }
    }

    private func job(_ request: Request, _ context: some RequestContext) async -> Result<JobRecord?, any Error> {
        let prefix = served.first { $0.name == context.parameters.get("workspace") }
        let trigger = TriggerRequest(method: "GET", contentType: nil, body: [], query: Self.query(request), headers: Self.headers(request))
        guard let text = context.parameters.get("id"), let id = JobID(text) else { return .success(nil) }
        let desk = (prefix ?? served[0]).desk
        return await run((prefix ?? served[0]).pool) { connection in
            let job = try desk.job(id, presented: trigger.presentedToken, now: try desk.now(on: connection), on: connection)
            return prefix == nil ? nil : job
        }
    }

    // MARK: - Routes

    /// Any method on `/api/r/<path>`: the route it matches, authenticated as the route says.
    func route(_ request: Request, _ context: some RequestContext) async -> Response {
        var parts = context.parameters.getCatchAll().map(String.init)
        var prefix = served[0]
        if parts.count > 1, let named = served.dropFirst().first(where: { $0.name == parts[0] }) {
            prefix = named
            parts.removeFirst()
        }
        let path = parts.joined(separator: "/")
        let read = await read(request)
        guard case .success(let trigger) = read else { return failure(read) }
        let desk = prefix.desk
        let window = settings.idempotencyWindow
        let method = request.method.rawValue
        let outcome: Result<RouteOutcome, any Error> = await run(prefix.pool) { connection in
            let now = try desk.now(on: connection)
            let candidates = try desk.routes.list(on: connection).compactMap { route -> (TriggerRoute, RoutePattern, [(String, String)])? in
                guard route.method == method, let pattern = RoutePattern(route.path), let parameters = pattern.match(path) else { return nil }
                return (route, pattern, parameters)
            }
            guard let (route, pattern, parameters) = candidates.max(by: { $0.1.specificity.lexicographicallyPrecedes($1.1.specificity) }) else {
                return .notFound
            }
            var target: TriggerDesk.Target?
            switch route.authentication {
            case .none:
                target = try desk.target(path: route.target, on: connection)
            case .token:
                guard let authorized = try desk.authorizeAny(presented: trigger.presentedToken, path: route.target, now: now, on: connection) else {
                    return .unauthorized("Unauthorized\n")
                }
                target = authorized
            case .signature(let check):
                guard let secret = try desk.signingSecret(check, target: route.target, on: connection) else {
                    logger.error("route signing secret unreadable", metadata: ["route": "\(route.name)", "variable": "\(check.secretVariable)"])
                    return .unauthorized("Unauthorized\n")
                }
                do {
                    try SignatureVerifier.verify(trigger, check: check, secret: secret, now: now / 1000)
                } catch {
                    return .unauthorized("Unauthorized: \(error)\n")
                }
                target = try desk.target(path: route.target, on: connection)
            }
            guard let target else { return .notFound }
            if let limit = route.rate, try desk.takeRate("route:" + route.name, limit: limit, on: connection) > 0 { throw RateLimited() }
            let input: WebhookInput
            do {
                var keepsRaw = route.keepsRawString
                if case .signature = route.authentication { keepsRaw = true }
                input = try WebhookBody.routeInput(trigger, route: pattern.description, path: path, parameters: parameters, keepsRawString: keepsRaw)
            } catch let error as WebhookInputError {
                return .invalid(error)
            }
            let key = Self.idempotencyKey(route, trigger, input: input)
            let delivery = key.map {
                Delivery(
                    scope: "route:" + route.name, key: $0, windowMilliseconds: (route.idempotencyWindow > 0 ? route.idempotencyWindow : window) * 1000
                )
            }
            let launch = TriggerDesk.Launch(queue: route.queue, trigger: "route \(route.name)", delivery: delivery)
            return .started(try desk.start(target, input: input, launch: launch, now: now, on: connection), waits: route.waitsForResult)
        }
        switch outcome {
        case .success(.notFound): return refuse(.notFound, "not_found", "Not found\n")
        case .success(.unauthorized(let text)): return refuse(.unauthorized, "unauthorized", text)
        case .success(.invalid(let error)):
            return refuse(error.status == .badRequest ? .badRequest : .unsupportedMediaType, "invalid", "Bad request: \(error)\n")
        case .success(.started(let started, let waits)):
            return await answer(.success(started), wait: waits, desk: desk, workspace: prefix.name, token: trigger.presentedToken)
        case .failure(let error): return await answer(.failure(error), wait: false, desk: desk, workspace: prefix.name, token: nil)
        }
    }

    /// What a route request came to, before the answer is written.
    enum RouteOutcome: Sendable {
        case notFound
        case unauthorized(String)
        case invalid(WebhookInputError)
        case started(TriggerDesk.Started, waits: Bool)
    }

    /// A delivery's idempotency key: the route's own (a header, or `body.<field>`), else `Idempotency-Key`.
    static func idempotencyKey(_ route: TriggerRoute, _ trigger: TriggerRequest, input: WebhookInput) -> String? {
        if let source = route.idempotencyKey {
            if source.hasPrefix("body.") {
                var value: JSONValue? = input.event["body"]
                for field in source.dropFirst(5).split(separator: ".") { value = value?[String(field)] }
                switch value {
                case .string(let text)?: return text
                case .number(let number)?: return JSONValue.format(number: number)
                default: break
                }
            } else if let header = trigger.header(source) {
                return header
            }
        }
        return trigger.header("Idempotency-Key")
    }

    // MARK: - Answers

    struct RateLimited: Error {}

    private func answer(_ outcome: Result<TriggerDesk.Started?, any Error>, wait: Bool, desk: TriggerDesk, workspace: String, token: String?) async
        -> Response
    {
        switch outcome {
        case .success(nil):
            return refuse(.notFound, "not_found", Self.notFound)
        case .success(let started?):
            metrics.trigger(started.duplicate ? "duplicate" : "started")
            guard wait else { return .text(.created, started.id.rawValue) }
            return await waitAndAnswer(started.id, desk: desk, workspace: workspace)
        case .failure(is RateLimited):
            metrics.trigger("rate_limited")
            var response = Response.text(.tooManyRequests, "Too many requests: try again shortly\n")
            response.headers[.retryAfter] = "1"
            return response
        case .failure(let refusal as TriggerDesk.InputRefusal):
            return refuse(.badRequest, "invalid", "Bad request: \(refusal)\n")
        case .failure(let error):
            return unavailable(error)
        }
    }

    /// Waits (on a connection of its own) up to the sync wait, then answers the result, or `202`
    /// with where to read it.
    private func waitAndAnswer(_ id: JobID, desk: TriggerDesk, workspace: String) async -> Response {
        let admitted = waiting.enter(limit: settings.maxWaiting)
        guard admitted else {
            metrics.trigger("busy")
            var response = Response.json(.accepted, pending(id, workspace: workspace))
            response.headers[.retryAfter] = "1"
            return response
        }
        defer { waiting.leave() }
        let timeout = settings.syncWait
        let finished = try? await waiters.run { connection in try desk.wait(for: id, timeout: timeout, on: connection) }
        guard let job = finished ?? nil, job.state.isFinal else {
            metrics.trigger("waiting")
            return .json(.accepted, pending(id, workspace: workspace))
        }
        metrics.trigger("finished")
        return Self.composite(Self.result(of: job), failed: job.state != .success)
    }

    private func pending(_ id: JobID, workspace: String) -> JSONValue {
        let base = publicURL + "/api/w/\(workspace)/jobs_u"
        return [
            "id": .string(id.rawValue), "completed": false, "result_url": .string("\(base)/completed/get_result/\(id.rawValue)"),
            "status_url": .string("\(base)/get/\(id.rawValue)"),
        ]
    }

    /// A finished run's result: its value, or `{error: {name, message}}` for a failure or cancel.
    static func result(of job: JobRecord) -> JSONValue {
        switch job.state {
        case .success: return job.result ?? .null
        case .canceled: return ["error": ["name": "Canceled", "message": .string(job.error ?? "canceled")]]
        default: return ["error": ["name": "Error", "message": .string(job.error ?? "failed")]]
        }
    }

    /// Windmill's composite result: `windmill_status_code`, `windmill_content_type` and
    /// `windmill_headers` shape the answer (never the security headers, never cookies).
    static func composite(_ result: JSONValue, failed: Bool) -> Response {
        let code = result["windmill_status_code"]?.intValue
        let contentType = result["windmill_content_type"]?.stringValue
        let headers = result["windmill_headers"]?.memberList
        guard code != nil || contentType != nil || headers != nil else { return .json(failed ? .unprocessableContent : .ok, result) }
        let inner = result["result"]
        let status = HTTPResponse.Status(code: code.flatMap { (100...599).contains($0) ? $0 : nil } ?? (failed ? 422 : (inner == nil ? 204 : 200)))
        var response: Response
        if let contentType {
            let text = inner.map { value -> String in if case .string(let string) = value { return string } else { return value.jsonText } } ?? ""
            response = .text(status, text, contentType: contentType)
        } else if let inner {
            response = .json(status, inner)
        } else {
            response = Response(status: status)
        }
        let refused: Set<String> = ["set-cookie", "content-length", "transfer-encoding", "connection"]
        for (name, value) in headers ?? [] {
            guard !refused.contains(name.lowercased()), let field = HTTPField.Name(name), let text = value.stringValue else { continue }
            response.headers[field] = text
        }
        return response
    }

    private func refuse(_ status: HTTPResponse.Status, _ outcome: String, _ text: String) -> Response {
        metrics.trigger(outcome)
        return .text(status, text)
    }

    private func unavailable(_ error: any Error) -> Response {
        if case RedisError.notReplicated = error {
            // --ack: the run exists on the master, not yet on enough replicas; the same delivery again starts nothing twice.
            logger.warning("trigger not yet durable", metadata: ["error": "\(error)"])
            metrics.trigger("not_replicated")
            var response = Response.text(
                .serviceUnavailable, "Try again shortly: the run is not yet safely stored; resend with the same delivery key\n")
            response.headers[.retryAfter] = "1"
            return response
        }
        logger.error("trigger request failed", metadata: ["error": "\(error)"])
        metrics.trigger("unavailable")
        return .text(.serviceUnavailable, "Try again shortly: Sluice cannot reach its store; nothing was started\n")
    }

    // MARK: - Reading requests

    private enum Read: Sendable {
        case success(TriggerRequest)
        case tooLarge
        case malformed
    }

    private func failure(_ read: Read) -> Response {
        switch read {
        case .tooLarge: refuse(.contentTooLarge, "too_large", "The request body is over \(bodyLimit) bytes\n")
        case .malformed, .success: refuse(.badRequest, "invalid", "Bad request\n")
        }
    }

    private func read(_ request: Request) async -> Read {
        var request = request
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > bodyLimit { return .tooLarge }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch {
            return .tooLarge
        }
        return .success(
            TriggerRequest(
                method: request.method.rawValue, contentType: request.headers[.contentType], body: Array(body.readableBytesView),
                query: Self.query(request), headers: Self.headers(request)))
    }

    static func query(_ request: Request) -> [(name: String, value: String)] {
        request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    static func headers(_ request: Request) -> [(name: String, value: String)] {
        request.headers.map { ($0.name.canonicalName, $0.value) }
    }

    private func run<Value: Sendable>(_ pool: RedisClientPool, _ body: @escaping @Sendable (RedisConnection) throws -> Value) async -> Result<
        Value, any Error
    > {
        do {
            return .success(try await pool.run(body))
        } catch {
            return .failure(error)
        }
    }
}

/// Synchronous requests waiting now, bounded.
final class WaitingCount: Sendable {
    private let count = Mutex(0)

    /// Counts one more waiter unless `limit` are waiting already.
    func enter(limit: Int) -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() {
        count.withLock { $0 -= 1 }
    }
}

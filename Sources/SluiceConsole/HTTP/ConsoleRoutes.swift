import Foundation
import HTTPTypes
import Hummingbird
import SluiceApprovals
import SluiceCore
import SluiceRedis
import SluiceStore

/// The console's handlers. A GET never changes anything; every POST carries a CSRF token and is
/// recorded in the audit list. Unknown ids answer a 404 page, malformed input a 400 page naming
/// the field, Redis down a 503 page.
struct ConsoleRoutes: Sendable {
    let pool: RedisClientPool
    let jobs: JobStore
    let actions: ConsoleActions
    let gateActions: GateActions
    let runAction: RunAction
    let settingsActions: SettingsActions
    /// The resumer's public URL, for minting approval links (none: no minting).
    let resumerURL: String?
    var pages: ConsolePages
    let csrf: CSRFGuard
    let live: LiveStream
    /// The operator this copy of the routes acts for (``authorized(_:_:)`` makes one per request).
    var operatorName: String
    /// The CSRF session of that operator: `loopback`, or their session cookie's.
    var session = ConsoleRoutes.loopbackSession
    /// Operator tokens (`--auth token`), or none (loopback).
    let authentication: Authentication?
    let bodyLimit: Int
    /// The CSRF session of a console without operator tokens.
    static let loopbackSession = "loopback"

    /// What `--auth token` needs: the operator tokens and the session cookies.
    struct Authentication: Sendable {
        let tokens: OperatorTokens
        let cookies: SessionCookie
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in await authorized(request) { routes in await routes.overview() } }
        router.get("live/overview") { request, _ in await authorized(request) { routes in routes.liveOverview() } }
        router.get("jobs") { request, _ in await authorized(request) { routes in await routes.jobList(request) } }
        router.get("jobs/:id") { request, context in await authorized(request) { routes in await routes.jobPage(context) } }
        router.get("live/jobs/:id") { request, context in await authorized(request) { routes in routes.liveJob(context) } }
        for action in ConsoleActions.Action.allCases {
            router.get(RouterPath("jobs/:id/\(action.rawValue)")) { request, context in
                await authorized(request) { routes in await routes.confirm(action, context) }
            }
            router.post(RouterPath("jobs/:id/\(action.rawValue)")) { request, context in
                await authorized(request) { routes in await routes.perform(action, request, context) }
            }
        }
        router.get("gates") { request, _ in await authorized(request) { routes in await routes.gatesPage(request) } }
        router.post("gates/:id/approve") { request, context in
            await authorized(request) { routes in await routes.decide(request, context, reject: false) }
        }
        router.post("gates/:id/reject") { request, context in
            await authorized(request) { routes in await routes.decide(request, context, reject: true) }
        }
        router.post("gates/:id/link") { request, context in await authorized(request) { routes in await routes.mintLink(request, context) } }
        router.get("scripts") { request, _ in await authorized(request) { routes in await routes.cataloguePage() } }
        router.get("script") { request, _ in await authorized(request) { routes in await routes.runnablePage(request, flow: false) } }
        router.get("flow") { request, _ in await authorized(request) { routes in await routes.runnablePage(request, flow: true) } }
        router.post("run") { request, _ in await authorized(request) { routes in await routes.run(request) } }
        router.get("schedules") { request, _ in await authorized(request) { routes in await routes.schedulesPage() } }
        router.post("schedules/pause") { request, _ in await authorized(request) { routes in await routes.setSchedule(request, enabled: false) } }
        router.post("schedules/resume") { request, _ in await authorized(request) { routes in await routes.setSchedule(request, enabled: true) } }
        router.get("variables") { request, _ in await authorized(request) { routes in await routes.variablesPage() } }
        router.post("variables/set") { request, _ in await authorized(request) { routes in await routes.setVariable(request) } }
        router.post("resources/set") { request, _ in await authorized(request) { routes in await routes.setResource(request) } }
        router.post("variables/create") { request, _ in await authorized(request) { routes in await routes.create(request, kind: .variable) } }
        router.post("resources/create") { request, _ in await authorized(request) { routes in await routes.create(request, kind: .resource) } }
        router.get("variables/delete") { request, _ in await authorized(request) { routes in await routes.confirmDelete(request, kind: .variable) } }
        router.get("resources/delete") { request, _ in await authorized(request) { routes in await routes.confirmDelete(request, kind: .resource) } }
        router.post("variables/delete") { request, _ in await authorized(request) { routes in await routes.delete(request, kind: .variable) } }
        router.post("resources/delete") { request, _ in await authorized(request) { routes in await routes.delete(request, kind: .resource) } }
        router.get("audit") { request, _ in await authorized(request) { routes in await routes.auditPage() } }
        router.get("login") { request, _ in await loginPage(request) }
        router.post("login") { request, _ in await login(request) }
        router.post("logout") { _, _ in Response(status: .seeOther, headers: [.location: "/login", .setCookie: SessionCookie.header("")]) }
        router.get("healthz") { _, _ in Response.plain(.ok, "ok\n") }
        router.get("static/console.js") { _, _ in Response.plain(.ok, ConsoleTemplates.script, contentType: "text/javascript; charset=utf-8") }
        router.get("static/console.css") { _, _ in Response.plain(.ok, ConsoleTemplates.stylesheet, contentType: "text/css; charset=utf-8") }
    }

    // MARK: Pages

    private func overview() async -> Response {
        let keys = jobs.keys
        return await withRedis({ try ConsoleOverview.read(keys: keys, on: $0) }) { .page(.ok, pages.overview($0)) }
    }

    private func liveOverview() -> Response {
        let keys = jobs.keys
        let pool = pool
        let pages = pages
        return live.response {
            let overview = try await pool.run { try ConsoleOverview.read(keys: keys, on: $0) }
            return (pages.overviewFragment(overview), false)
        }
    }

    private func jobList(_ request: Request) async -> Response {
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        let filter: JobFilter
        do {
            filter = try JobFilter(query: query)
        } catch {
            return badInput(error)
        }
        let listing = JobListing(keys: jobs.keys)
        return await withRedis({ try listing.page(filter, on: $0) }) { rows, more, bounded in
            .page(.ok, pages.jobs(filter, rows: rows, more: more, bounded: bounded))
        }
    }

    private func jobPage(_ context: BasicRequestContext) async -> Response {
        guard let id = jobID(context) else { return notFound("No job has that id.") }
        let jobs = jobs
        return await withRedis({ try JobDetail.read(id, jobs: jobs, on: $0) }) { detail in
            guard let detail else {
                return notFound("No job \(id.rawValue): it never existed, or it finished longer ago than the retention period.")
            }
            return .page(.ok, pages.job(detail, csrf: csrf.token(session: session)))
        }
    }

    private func liveJob(_ context: BasicRequestContext) -> Response {
        guard let id = jobID(context) else { return notFound("No job has that id.") }
        let jobs = jobs
        let pool = pool
        let pages = pages
        let token = csrf.token(session: session)
        return live.response {
            guard let detail = try await pool.run({ try JobDetail.read(id, jobs: jobs, on: $0) }) else {
                return (pages.message(heading: "Gone", message: "The job no longer exists.", success: false), true)
            }
            // A flow's page follows its steps until the flow ends; a job's until it finishes.
            return (pages.jobFragment(detail, csrf: token), detail.job.state.isFinal)
        }
    }

    private func auditPage() async -> Response {
        let audit = AuditLog(keys: jobs.keys)
        return await withRedis({ try audit.entries(limit: 200, on: $0) }) { .page(.ok, pages.audit($0, limit: 200)) }
    }

    // MARK: Actions

    private func confirm(_ action: ConsoleActions.Action, _ context: BasicRequestContext) async -> Response {
        guard let id = jobID(context) else { return notFound("No job has that id.") }
        let jobs = jobs
        return await withRedis({ try jobs.job(id, on: $0) }) { job in
            guard let job else { return notFound("No job \(id.rawValue).") }
            return .page(.ok, pages.confirm(action, job: job, csrf: csrf.token(session: session)))
        }
    }

    private func perform(_ action: ConsoleActions.Action, _ request: Request, _ context: BasicRequestContext) async -> Response {
        await withForm(request) { _ in
            guard let id = jobID(context) else { return notFound("No job has that id.") }
            let jobs = jobs
            let actions = actions
            let who = operatorName
            let outcome: @Sendable (RedisConnection) throws -> ConsoleActions.Outcome? = { connection in
                guard let job = try jobs.job(id, on: connection) else { return nil }
                return try actions.perform(action, on: job, who: who, connection: connection)
            }
            return await withRedis(outcome) { outcome in
                switch outcome {
                case nil: return notFound("No job \(id.rawValue).")
                case .started(let new)?: return .seeOther("/jobs/\(new.rawValue)")
                case .refused(let why)?:
                    return .page(
                        .conflict, pages.message(heading: "Not done", message: why, success: false, link: ("/jobs/\(id.rawValue)", "Back to the job"))
                    )
                case .canceled?, .alreadyFinished?: return .seeOther("/jobs/\(id.rawValue)")
                case .deleted?: return .seeOther("/jobs")
                }
            }
        }
    }

    // MARK: Scripts and flows

    private func cataloguePage() async -> Response {
        let keys = jobs.keys
        return await withRedis({ connection in
            (try ScriptStore(keys: keys).list(on: connection), try FlowStore(keys: keys).list(on: connection))
        }) { scripts, flows in
            .page(.ok, pages.catalogue(scripts: scripts, flows: flows))
        }
    }

    private func runnablePage(_ request: Request, flow: Bool) async -> Response {
        guard let path = request.uri.queryParameters["path"].map(String.init), !path.isEmpty else {
            return badInput(ConsoleInputError(field: "path", "is missing"))
        }
        let keys = jobs.keys
        let token = csrf.token(session: session)
        if flow {
            return await withRedis({ try Catalogue.flow(path, keys: keys, on: $0) }) { page in
                guard let page else { return notFound("No flow at \(path).") }
                return .page(.ok, pages.flow(page, csrf: token))
            }
        }
        return await withRedis({ try Catalogue.script(path, keys: keys, on: $0) }) { page in
            guard let page else { return notFound("No script at \(path).") }
            return .page(.ok, pages.script(page, csrf: token))
        }
    }

    private func run(_ request: Request) async -> Response {
        await withForm(request) { form in
            guard let kind = form.fields["kind"], kind == "flow" || kind == "script" else {
                return badInput(ConsoleInputError(field: "kind", "must be flow or script"))
            }
            guard let path = form.fields["path"], !path.isEmpty, path.count <= 512 else {
                return badInput(ConsoleInputError(field: "path", "is missing"))
            }
            let run = RunAction.Request(
                flow: kind == "flow", path: path, queue: form.fields["queue"].flatMap { $0.isEmpty ? nil : $0 } ?? JobDefaults.queue,
                arguments: form.fields["args"], fields: form.fields)
            let action = runAction
            let who = operatorName
            return await withRedis({ try action.run(run, who: who, on: $0) }) { started in
                switch started {
                case .success(let id): return .seeOther("/jobs/\(id.rawValue)")
                case .failure(.input(let error)): return badInput(error)
                case .failure(.notFound(let why)): return notFound(why)
                }
            }
        }
    }

    // MARK: Schedules and variables

    private func schedulesPage() async -> Response {
        let keys = jobs.keys
        let read: @Sendable (RedisConnection) throws -> [(ScheduleRecord, [ScheduleRun])] = { connection in
            let store = ScheduleStore(keys: keys)
            return try store.list(on: connection).map { ($0, try store.runs(of: $0.name, limit: 5, on: connection)) }
        }
        return await withRedis(read) { .page(.ok, pages.schedules($0, csrf: csrf.token(session: session))) }
    }

    private func setSchedule(_ request: Request, enabled: Bool) async -> Response {
        await withForm(request) { form in
            guard let name = form.fields["name"], !name.isEmpty else { return badInput(ConsoleInputError(field: "name", "is missing")) }
            let actions = settingsActions
            let who = operatorName
            return await withRedis({ try actions.setSchedule(name, enabled: enabled, who: who, on: $0) }) { set in
                set == nil ? notFound("No schedule \(name).") : .seeOther("/schedules")
            }
        }
    }

    // MARK: Gates

    private func gatesPage(_ request: Request) async -> Response {
        let sort = request.uri.queryParameters["sort"].map(String.init)
        guard sort == nil || sort == "latest" || sort == "soonest" else {
            return badInput(ConsoleInputError(field: "sort", "must be soonest or latest"))
        }
        let store = gateActions.desk.gates
        return await withRedis({ try store.openGates(limit: 1000, on: $0) }) { open in
            var gates = open.filter(\.isAcceptingDecisions)
            gates.sort { ($0.deadline ?? .max, $0.id) < ($1.deadline ?? .max, $1.id) }
            if sort == "latest" { gates.reverse() }
            return .page(
                .ok, pages.gates(gates, soonest: sort != "latest", csrf: csrf.token(session: session), canMint: resumerURL != nil))
        }
    }

    private func decide(_ request: Request, _ context: BasicRequestContext, reject: Bool) async -> Response {
        await withForm(request) { form in
            guard let id = jobID(context) else { return notFound("No gate has that id.") }
            let note = form.fields["note"]
            if let note, note.count > 2000 { return badInput(ConsoleInputError(field: "note", "is longer than 2000 characters")) }
            let fields = form.pairs.filter { !["csrf", "note"].contains($0.name) }
            let actions = gateActions
            let who = operatorName
            do {
                let flow = try await pool.run { connection -> JobID? in
                    _ = try actions.decide(id, reject: reject, fields: fields, note: note, who: who, on: connection)
                    return try actions.desk.gates.gate(id, history: false, on: connection)?.flowID
                }
                return .seeOther(flow.map { "/jobs/\($0.rawValue)" } ?? "/gates")
            } catch let refusal as ApprovalRefusal {
                let status: HTTPResponse.Status
                switch refusal {
                case .notFound: status = .notFound
                case .closed: status = .gone
                case .forbidden: status = .forbidden
                case .invalid: status = .badRequest
                case .conflict: status = .conflict
                }
                return .page(
                    status, pages.message(heading: "Not recorded", message: refusal.description, success: false, link: ("/gates", "Open gates")))
            } catch {
                return unavailable(error)
            }
        }
    }

    private func mintLink(_ request: Request, _ context: BasicRequestContext) async -> Response {
        await withForm(request) { form in
            guard let id = jobID(context) else { return notFound("No gate has that id.") }
            guard let resumerURL else {
                return .page(.conflict, pages.message(heading: "No resumer URL", message: "Start the console with --resumer-url.", success: false))
            }
            guard let approver = form.fields["approver"]?.trimmingCharacters(in: .whitespaces), !approver.isEmpty, approver.count <= 200 else {
                return badInput(ConsoleInputError(field: "approver", "must be a name of 1 to 200 characters"))
            }
            let actions = gateActions
            let who = operatorName
            return await withRedis({ try actions.mintLink(id, approver: approver, publicURL: resumerURL, who: who, on: $0) }) { minted in
                guard let minted else { return notFound("No open gate \(id.rawValue).") }
                return .page(.ok, pages.link(minted.url, approver: approver, gate: minted.gate))
            }
        }
    }

    // MARK: Answers

    private func jobID(_ context: BasicRequestContext) -> JobID? {
        context.parameters.get("id").flatMap(JobID.init)
    }

    /// Reads a state-changing request's form — its body within the limit, its CSRF token checked —
    /// and answers with what `body` makes of it; a form that cannot be read, or carries no valid
    /// token, is refused (``refused(_:)``) and `body` never runs.
    func withForm(_ request: Request, _ body: (FormRequest) async -> Response) async -> Response {
        let form: FormRequest
        do {
            form = try await FormRequest.read(request, bodyLimit: bodyLimit, csrf: csrf, session: session)
        } catch {
            return refused(error)
        }
        return await body(form)
    }

    func notFound(_ message: String) -> Response {
        .page(.notFound, pages.message(heading: "Not found", message: message, success: false, link: ("/jobs", "All jobs")))
    }

    func badInput(_ error: ConsoleInputError) -> Response {
        .page(.badRequest, pages.message(heading: "Bad input", message: "Field \(error.field) \(error.problem).", success: false))
    }

    func unavailable(_ error: any Error) -> Response {
        .page(.serviceUnavailable, pages.message(heading: "Redis unavailable", message: "\(error)", success: false))
    }

    /// `respond` to what `body` returns on a pooled connection, or the Redis-unavailable page
    /// when it throws.
    func withRedis<Value: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws -> Value, respond: (Value) -> Response
    ) async -> Response {
        do {
            return respond(try await pool.run(body))
        } catch {
            return unavailable(error)
        }
    }

    func refused(_ refusal: FormRequest.Refusal) -> Response {
        switch refusal {
        case .crossOrigin:
            return .page(.forbidden, pages.message(heading: "Refused", message: "A request from another site cannot act here.", success: false))
        case .unsupportedType:
            return .page(.unsupportedMediaType, pages.message(heading: "Refused", message: "Send the page's form.", success: false))
        case .tooLarge:
            return .page(.contentTooLarge, pages.message(heading: "Too large", message: "The form is over \(bodyLimit) bytes.", success: false))
        case .malformed(let error): return badInput(error)
        case .csrf:
            return .page(
                .forbidden,
                pages.message(
                    heading: "Refused", message: "The form's CSRF token is missing or out of date: nothing changed. Open the page again and retry.",
                    success: false))
        }
    }
}

import HTTPTypes
import Hummingbird
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
    let pages: ConsolePages
    let csrf: CSRFGuard
    let live: LiveStream
    let operatorName: String
    let bodyLimit: Int
    /// The CSRF session of a console without operator tokens.
    static let loopbackSession = "loopback"

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in await overview() }
        router.get("live/overview") { _, _ in liveOverview() }
        router.get("jobs") { request, _ in await jobList(request) }
        router.get("jobs/:id") { _, context in await jobPage(context) }
        router.get("live/jobs/:id") { _, context in liveJob(context) }
        for action in ConsoleActions.Action.allCases {
            router.get(RouterPath("jobs/:id/\(action.rawValue)")) { _, context in await confirm(action, context) }
            router.post(RouterPath("jobs/:id/\(action.rawValue)")) { request, context in await perform(action, request, context) }
        }
        router.get("audit") { _, _ in await auditPage() }
        router.get("healthz") { _, _ in Response.plain(.ok, "ok\n") }
        router.get("static/console.js") { _, _ in Response.plain(.ok, ConsoleTemplates.script, contentType: "text/javascript; charset=utf-8") }
        router.get("static/console.css") { _, _ in Response.plain(.ok, ConsoleTemplates.stylesheet, contentType: "text/css; charset=utf-8") }
    }

    // MARK: Pages

    private func overview() async -> Response {
        let keys = jobs.keys
        do {
            let overview = try await pool.run { try ConsoleOverview.read(keys: keys, on: $0) }
            return .page(.ok, pages.overview(overview))
        } catch {
            return unavailable(error)
        }
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
        do {
            let (rows, more) = try await pool.run { try listing.page(filter, on: $0) }
            return .page(.ok, pages.jobs(filter, rows: rows, more: more))
        } catch {
            return unavailable(error)
        }
    }

    private func jobPage(_ context: BasicRequestContext) async -> Response {
        guard let id = jobID(context) else { return notFound("No job has that id.") }
        let jobs = jobs
        do {
            guard let detail = try await pool.run({ try JobDetail.read(id, jobs: jobs, on: $0) }) else {
                return notFound("No job \(id.rawValue): it never existed, or it finished longer ago than the retention period.")
            }
            return .page(.ok, pages.job(detail))
        } catch {
            return unavailable(error)
        }
    }

    private func liveJob(_ context: BasicRequestContext) -> Response {
        guard let id = jobID(context) else { return notFound("No job has that id.") }
        let jobs = jobs
        let pool = pool
        let pages = pages
        return live.response {
            guard let detail = try await pool.run({ try JobDetail.read(id, jobs: jobs, on: $0) }) else {
                return (pages.message(heading: "Gone", message: "The job no longer exists.", success: false), true)
            }
            // A flow's page follows its steps until the flow ends; a job's until it finishes.
            return (pages.jobFragment(detail), detail.job.state.isFinal)
        }
    }

    private func auditPage() async -> Response {
        let audit = AuditLog(keys: jobs.keys)
        do {
            let entries = try await pool.run { try audit.entries(limit: 200, on: $0) }
            return .page(.ok, pages.audit(entries, limit: 200))
        } catch {
            return unavailable(error)
        }
    }

    // MARK: Actions

    private func confirm(_ action: ConsoleActions.Action, _ context: BasicRequestContext) async -> Response {
        guard let id = jobID(context) else { return notFound("No job has that id.") }
        let jobs = jobs
        do {
            guard let job = try await pool.run({ try jobs.job(id, on: $0) }) else { return notFound("No job \(id.rawValue).") }
            return .page(.ok, pages.confirm(action, job: job, csrf: csrf.token(session: Self.loopbackSession)))
        } catch {
            return unavailable(error)
        }
    }

    private func perform(_ action: ConsoleActions.Action, _ request: Request, _ context: BasicRequestContext) async -> Response {
        do {
            _ = try await FormRequest.read(request, bodyLimit: bodyLimit, csrf: csrf, session: Self.loopbackSession)
        } catch {
            return refused(error)
        }
        guard let id = jobID(context) else { return notFound("No job has that id.") }
        let jobs = jobs
        let actions = actions
        let who = operatorName
        do {
            let outcome = try await pool.run { connection -> ConsoleActions.Outcome? in
                guard let job = try jobs.job(id, on: connection) else { return nil }
                return try actions.perform(action, on: job, who: who, connection: connection)
            }
            switch outcome {
            case nil: return notFound("No job \(id.rawValue).")
            case .started(let new)?: return .seeOther("/jobs/\(new.rawValue)")
            case .refused(let why)?:
                return .page(
                    .conflict, pages.message(heading: "Not done", message: why, success: false, link: ("/jobs/\(id.rawValue)", "Back to the job")))
            case .canceled?, .alreadyFinished?: return .seeOther("/jobs/\(id.rawValue)")
            }
        } catch {
            return unavailable(error)
        }
    }

    // MARK: Answers

    private func jobID(_ context: BasicRequestContext) -> JobID? {
        context.parameters.get("id").flatMap(JobID.init)
    }

    private func notFound(_ message: String) -> Response {
        .page(.notFound, pages.message(heading: "Not found", message: message, success: false, link: ("/jobs", "All jobs")))
    }

    private func badInput(_ error: ConsoleInputError) -> Response {
        .page(.badRequest, pages.message(heading: "Bad input", message: "Field \(error.field) \(error.problem).", success: false))
    }

    private func unavailable(_ error: any Error) -> Response {
        .page(.serviceUnavailable, pages.message(heading: "Redis unavailable", message: "\(error)", success: false))
    }

    private func refused(_ refusal: FormRequest.Refusal) -> Response {
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

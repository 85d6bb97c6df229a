import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SluiceApprovals
import SluiceCore
import SluiceRedis
import SluiceStore

/// The handlers behind the links. A GET never changes anything (link-preview bots fetch links);
/// POST acts, through the shared ``ApprovalDesk``. Every answer is precise — 404 unknown or
/// forged link, 403 identity or action refused, 410 gate closed or past its deadline, 415 content
/// type, 413 body too large, 422 invalid payload, 400 malformed body, 503 Redis unreachable — every
/// refusal is counted by its reason, and no secret is ever logged.
struct ApprovalRoutes: Sendable {
    let pool: RedisClientPool
    let desk: ApprovalDesk
    let jobs: JobStore
    let pages: PageRenderer
    let metrics: ResumerMetrics
    let bodyLimit: Int
    let publicURL: String
    let logger: Logger

    func link(_ context: some RequestContext) -> ApprovalLink? {
        guard let gate = context.parameters.get("gate"), let subject = context.parameters.get("subject"),
            let token = context.parameters.get("token")
        else { return nil }
        return ApprovalLink(gate: gate, subject: subject, token: token)
    }

    /// Where the page's forms post: the link itself, under the public URL (which may carry a path
    /// prefix when the resumer sits behind a proxy).
    private func actionBase(_ link: ApprovalLink) -> String {
        publicURL + "/approvals/\(link.gate.rawValue)/\(link.subject.pathSegment)/\(link.token)"
    }

    /// What `link` shows, read on a pool client.
    private func view(_ link: ApprovalLink, withFlow: Bool) async throws -> ApprovalView {
        let desk = desk
        let jobs = jobs
        return try await pool.run { connection in try ApprovalView.read(link, withFlow: withFlow, desk: desk, jobs: jobs, on: connection) }
    }

    /// Any method on a link under a prefix this resumer does not serve: the same answer as a link to
    /// no gate (404, the same body), after the same check against a stand-in secret — so the answer
    /// tells no one which prefixes exist.
    func unknownPrefix(_ request: Request, _ context: some RequestContext) async -> Response {
        let style = ResponseStyle(request)
        if let link = link(context) {
            let desk = desk
            let submission = link.submission(.approve(.json(.emptyObject)))
            _ = try? await pool.run { connection in
                try desk.gate(submission.gate, subject: submission.subject, credential: submission.credential, history: false, on: connection)
            }
        }
        return refusal(.notFound, style)
    }

    /// GET on the page link (and on the resume link): the approval page, or with
    /// `Accept: application/json` the gate's summary.
    func page(_ request: Request, _ context: some RequestContext) async -> Response {
        let style = ResponseStyle(request)
        guard let link = link(context) else { return refusal(.notFound, style) }
        do {
            let view = try await view(link, withFlow: style == .html)
            if style == .json { return .json(.ok, summary(view.gate)) }
            guard view.gate.isAcceptingDecisions else { return refusal(.closed(state: view.gate.currentState), style) }
            return .html(.ok, pages.approvalPage(view, actionBase: actionBase(link)))
        } catch {
            return failure(error, style)
        }
    }

    /// GET on the reject link: a confirmation page, nothing changes. A `hide_cancel` gate offers
    /// no rejection: 403.
    func confirmReject(_ request: Request, _ context: some RequestContext) async -> Response {
        let style = ResponseStyle(request)
        guard let link = link(context) else { return refusal(.notFound, style) }
        do {
            let view = try await view(link, withFlow: false)
            guard view.gate.isAcceptingDecisions else { return refusal(.closed(state: view.gate.currentState), style) }
            guard !view.gate.hideCancel else { return refusal(.forbidden(Self.noRejections), style) }
            if style == .json { return .json(.ok, summary(view.gate)) }
            return .html(.ok, pages.rejectConfirmation(view, actionBase: actionBase(link)))
        } catch {
            return failure(error, style)
        }
    }

    static let noRejections = "this gate takes no rejections through its links (hide_cancel)"

    /// POST on the resume or cancel link: the body (JSON, or the page's form) becomes one
    /// submission, handed to the desk on a pool client — one read of the gate, then the script.
    func act(_ request: Request, _ context: some RequestContext, reject: Bool) async -> Response {
        var request = request
        let style = ResponseStyle(request)
        guard let link = link(context) else { return refusal(.notFound, style) }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > bodyLimit {
            return httpRefusal(.contentTooLarge, "too_large", "Too large", "The request body is over \(bodyLimit) bytes.", style)
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch {
            return httpRefusal(.contentTooLarge, "too_large", "Too large", "The request body is over \(bodyLimit) bytes.", style)
        }
        // Text is UTF-8 or refused: never decoded lossily into something the approver did not send.
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
            return httpRefusal(.badRequest, "malformed", "Not UTF-8", "The request body is not valid UTF-8.", style)
        }
        let action: ApprovalSubmission.Action
        let contentType = request.headers[.contentType]
        if contentType == nil, text.isEmpty {
            action = reject ? .reject(reason: nil) : .approve(.json(.emptyObject))
        } else if let mediaType = contentType.flatMap(MediaType.init), mediaType.isUTF8, mediaType.matches(.json) {
            let value: JSONValue
            do {
                value =
                    text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                    ? .emptyObject : try JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth)
            } catch {
                return httpRefusal(.badRequest, "malformed", "Malformed JSON", "\(error)", style)
            }
            action = reject ? .reject(reason: value["reason"]?.stringValue) : .approve(.json(value))
        } else if let mediaType = contentType.flatMap(MediaType.init), mediaType.isUTF8, mediaType.matches(.form) {
            guard let fields = FormBody.fields(text) else {
                return httpRefusal(
                    .badRequest, "malformed", "Malformed form", "A form field has a malformed escape or is not UTF-8 once decoded.", style)
            }
            action = reject ? .reject(reason: fields.last { $0.name == "reason" }?.value) : .approve(.form(fields))
        } else {
            return httpRefusal(
                .unsupportedMediaType, "unsupported_media_type", "Unsupported content type",
                "Send application/json or application/x-www-form-urlencoded (UTF-8).", style)
        }
        let desk = desk
        let submission = link.submission(action)
        do {
            let outcome = try await pool.run { connection in try desk.submit(submission, on: connection) }
            return answer(outcome, reject: reject, style: style)
        } catch {
            return failure(error, style)
        }
    }

    /// Whether Redis answers, for `/healthz`.
    func isRedisReachable() async -> Bool {
        (try? await pool.run { try $0.send(["PING"]).string == "PONG" }) ?? false
    }

    private func answer(_ outcome: ApprovalOutcome, reject: Bool, style: ResponseStyle) -> Response {
        switch outcome {
        case .decided(let decision, let count, let required):
            metrics.count(decision)
            let heading = decision == "approved" ? "Approved" : "Rejected"
            let text = decision == "approved" ? "Thank you. \(count) of \(required) approvals: the flow goes on." : "Thank you. The gate is rejected."
            if style == .json {
                return .json(.ok, ["status": .string(decision), "approvals": .number(Double(count)), "required": .number(Double(required))])
            }
            return .html(.ok, pages.message(heading: heading, message: text, success: true))
        case .counted(let count, let required, let pending):
            metrics.count("counted")
            if style == .json {
                return .json(
                    .accepted,
                    ["status": "counted", "approvals": .number(Double(count)), "required": .number(Double(required)), "pending": .bool(pending)])
            }
            let text =
                "Your approval is counted: \(count) of \(required)." + (pending ? " It takes effect when the step before the gate finishes." : "")
            return .html(.accepted, pages.message(heading: "Approval counted", message: text, success: true))
        case .rejectionKept:
            metrics.count("rejection_kept")
            if style == .json { return .json(.accepted, ["status": "rejection_kept", "pending": true]) }
            let text = "Your rejection is kept; it decides the gate as soon as the step before it finishes."
            return .html(.accepted, pages.message(heading: "Rejection kept", message: text, success: true))
        case .alreadyDecided(let text):
            metrics.count("duplicate")
            if style == .json { return .json(.ok, ["status": "already_counted", "message": .string(text)]) }
            return .html(.ok, pages.message(heading: "Already recorded", message: text, success: true))
        case .countedBefore(let state, let rejected):
            // A retry of a request that was applied before the gate closed (its answer lost).
            metrics.count("counted_before")
            let text = ApprovalOutcome.countedBeforeMessage(state: state, rejected: rejected)
            if style == .json {
                return .json(
                    .ok,
                    [
                        "status": "already_counted", "state": .string(state.rawValue), "decision": rejected ? "reject" : "approve",
                        "message": .string(text),
                    ])
            }
            return .html(.ok, pages.message(heading: "Already counted", message: text, success: true))
        }
    }

    private func summary(_ gate: GateRecord) -> JSONValue {
        JSONValue(members: [
            ("gate", .string(gate.id.rawValue)), ("flow", .string(gate.flowID.rawValue)), ("step", .string(gate.moduleID)),
            ("state", .string(gate.currentState.rawValue)), ("approvals", .number(Double(gate.approvals.count))),
            ("required", .number(Double(gate.required))), ("deadline", gate.deadline.map { .number(Double($0)) } ?? .null),
            ("form", gate.form ?? .null), ("hide_cancel", .bool(gate.hideCancel)), ("description", gate.page["description"] ?? .null),
            ("default_args", gate.page["default_args"] ?? .null), ("enums", gate.page["enums"] ?? .null),
        ])
    }

    /// The answer to a refusal of the desk's, counted by its reason.
    func refusal(_ refusal: ApprovalRefusal, _ style: ResponseStyle) -> Response {
        metrics.count(refusal.reason)
        switch refusal {
        case .notFound:
            return message(.notFound, "Link not valid", "This approval link is unknown, mistyped or forged.", style)
        case .closed(let state):
            let why: String
            switch state {
            case .approved: why = "It was approved."
            case .rejected: why = "It was rejected."
            case .timedOut: why = "Nobody decided before its deadline."
            case .canceled: why = "The flow was canceled."
            case .closed, .pending, .open: why = "Its step ended without waiting for approval."
            }
            return message(.gone, "This approval is closed", why, style, extra: ["state": .string(state.rawValue)])
        case .forbidden(let why):
            return message(.forbidden, "Not allowed", why, style)
        case .invalid(let field, let text):
            return message(.unprocessableContent, "Invalid answer", "\(field): \(text)", style, extra: ["field": .string(field)])
        case .conflict(let why):
            return message(.conflict, "Already decided", why, style)
        }
    }

    /// The answer to a request refused before it reaches the desk, counted by `reason`.
    private func httpRefusal(_ status: HTTPResponse.Status, _ reason: String, _ heading: String, _ text: String, _ style: ResponseStyle) -> Response {
        metrics.count(reason)
        return message(status, heading, text, style)
    }

    private func failure(_ error: any Error, _ style: ResponseStyle) -> Response {
        if let refusal = error as? ApprovalRefusal { return self.refusal(refusal, style) }
        if case RedisError.notReplicated = error {
            // --ack: recorded on the master, not yet on enough replicas; sending the same answer again is safe.
            metrics.count("not_replicated")
            logger.warning("approval not yet durable", metadata: ["error": "\(error)"])
            var response = message(
                .serviceUnavailable, "Try again shortly",
                "Your answer is not yet safely stored; send it again in a moment (it will not be counted twice).", style)
            response.headers[.retryAfter] = "1"
            return response
        }
        metrics.count("unavailable")
        logger.error("approval request failed", metadata: ["error": "\(error)"])
        return message(.serviceUnavailable, "Try again shortly", "Sluice cannot reach its store right now; nothing was changed.", style)
    }

    func message(_ status: HTTPResponse.Status, _ heading: String, _ text: String, _ style: ResponseStyle, extra: [String: JSONValue] = [:])
        -> Response
    {
        if style == .json {
            var members: [(String, JSONValue)] = [("error", .string(heading)), ("message", .string(text))]
            members += extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return .json(status, JSONValue(members: members))
        }
        return .html(status, pages.message(heading: heading, message: text, success: false))
    }
}

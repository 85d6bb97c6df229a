import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SluiceCore
import SluiceFlows
import SluiceRedis
import SluiceStore

/// The handlers behind the links. A GET never changes anything (link-preview bots fetch links);
/// POST acts. Every answer is precise — 404 unknown or forged link, 403 identity refused, 410 gate
/// closed, 415 content type, 413 body too large, 422 invalid payload, 400 malformed body, 503 Redis
/// unreachable — and no secret is ever logged.
struct ApprovalRoutes: Sendable {
    let desk: ApprovalDesk
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

    /// GET on the page link (and on the resume link): the approval page.
    func page(_ request: Request, _ context: some RequestContext) async -> Response {
        let style = ResponseStyle(request)
        guard let link = link(context) else { return refusal(.notFound, style) }
        do {
            let view = try await desk.view(link)
            if style == .json { return .json(.ok, summary(view.gate)) }
            guard view.gate.isAcceptingDecisions else { return refusal(.closed(view.gate.state), style) }
            return .html(.ok, pages.approvalPage(view, actionBase: actionBase(link)))
        } catch {
            return failure(error, style)
        }
    }

    /// GET on the reject link: a confirmation page, nothing changes.
    func confirmReject(_ request: Request, _ context: some RequestContext) async -> Response {
        let style = ResponseStyle(request)
        guard let link = link(context) else { return refusal(.notFound, style) }
        do {
            let view = try await desk.view(link)
            guard view.gate.isAcceptingDecisions else { return refusal(.closed(view.gate.state), style) }
            if style == .json { return .json(.ok, summary(view.gate)) }
            return .html(.ok, pages.rejectConfirmation(view, actionBase: actionBase(link)))
        } catch {
            return failure(error, style)
        }
    }

    /// POST on the resume or cancel link.
    func act(_ request: Request, _ context: some RequestContext, reject: Bool) async -> Response {
        var request = request
        let style = ResponseStyle(request)
        guard let link = link(context) else { return refusal(.notFound, style) }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > bodyLimit {
            metrics.count("too_large")
            return message(.contentTooLarge, "Too large", "The request body is over \(bodyLimit) bytes.", style)
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch {
            metrics.count("too_large")
            return message(.contentTooLarge, "Too large", "The request body is over \(bodyLimit) bytes.", style)
        }
        let text = String(buffer: body)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        do {
            var payload: JSONValue = .emptyObject
            var reason: String?
            if contentType.hasPrefix("application/json") {
                let value: JSONValue
                do {
                    value = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? .emptyObject : try JSONValue(parsing: text)
                } catch {
                    metrics.count("malformed")
                    return message(.badRequest, "Malformed JSON", "\(error)", style)
                }
                if reject {
                    reason = value["reason"]?.stringValue
                } else {
                    payload = value
                }
            } else if contentType.hasPrefix("application/x-www-form-urlencoded") {
                let pairs = FormDecoding.pairs(text)
                if reject {
                    reason = pairs.last { $0.0 == "reason" }?.1
                } else {
                    let view = try await desk.view(link)
                    payload = try FormDecoding.payload(pairs, schema: view.gate.form)
                }
            } else if !(contentType.isEmpty && text.isEmpty) {
                metrics.count("unsupported_media_type")
                return message(
                    .unsupportedMediaType, "Unsupported content type",
                    "Send application/json or application/x-www-form-urlencoded.", style)
            }
            if let given = reason, given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { reason = nil }
            let accepted = try await desk.act(link, reject: reject, payload: payload, reason: reason.map { String($0.prefix(2000)) })
            return answer(accepted, reject: reject, subject: link.subject, style: style)
        } catch let violation as SchemaViolation {
            metrics.count("invalid")
            return refusal(.invalid(field: violation.field, message: violation.message), style)
        } catch {
            return failure(error, style)
        }
    }

    private func answer(_ accepted: ApprovalDesk.Accepted, reject: Bool, subject: ResumeLinkSubject, style: ResponseStyle) -> Response {
        switch accepted {
        case .decided(let decision, let count, let required):
            metrics.count(decision)
            let heading = decision == "approved" ? "Approved" : "Rejected"
            let text = decision == "approved" ? "Thank you. \(count) of \(required) approvals: the flow goes on." : "Thank you. The gate is rejected."
            if style == .json {
                return .json(.ok, ["status": .string(decision), "approvals": .number(Double(count)), "required": .number(Double(required))])
            }
            return .html(.ok, pages.message(heading: heading, message: text, success: true))
        case .counted(let count, let required, let pending):
            metrics.count(reject ? "rejection_kept" : "counted")
            if style == .json {
                return .json(
                    .accepted,
                    [
                        "status": reject ? "rejection_kept" : "counted", "approvals": .number(Double(count)), "required": .number(Double(required)),
                        "pending": .bool(pending),
                    ])
            }
            let text =
                reject
                ? "Your rejection is kept; it decides the gate as soon as the step before it finishes."
                : "Your approval is counted: \(count) of \(required)." + (pending ? " It takes effect when the step before the gate finishes." : "")
            return .html(.accepted, pages.message(heading: reject ? "Rejection kept" : "Approval counted", message: text, success: true))
        case .alreadyCounted(let text):
            metrics.count("duplicate")
            if style == .json { return .json(.ok, ["status": "already_counted", "message": .string(text)]) }
            return .html(.ok, pages.message(heading: "Already counted", message: text, success: true))
        }
    }

    private func summary(_ gate: GateRecord) -> JSONValue {
        JSONValue(members: [
            ("gate", .string(gate.id.rawValue)), ("flow", .string(gate.flowID.rawValue)), ("step", .string(gate.moduleID)),
            ("state", .string(gate.state)), ("approvals", .number(Double(gate.approvals.count))), ("required", .number(Double(gate.required))),
            ("deadline", gate.deadline.map { .number(Double($0)) } ?? .null), ("form", gate.form ?? .null), ("hide_cancel", .bool(gate.hideCancel)),
            ("description", gate.page["description"] ?? .null), ("default_args", gate.page["default_args"] ?? .null),
            ("enums", gate.page["enums"] ?? .null),
        ])
    }

    func refusal(_ refusal: ApprovalDesk.Refusal, _ style: ResponseStyle) -> Response {
        switch refusal {
        case .notFound:
            metrics.count("not_found")
            return message(.notFound, "Link not valid", "This approval link is unknown, mistyped or forged.", style)
        case .closed(let state):
            metrics.count("closed")
            let why: String
            switch state {
            case "approved": why = "It was approved."
            case "rejected": why = "It was rejected."
            case "timed_out": why = "Nobody decided before its deadline."
            case "canceled": why = "The flow was canceled."
            default: why = "Its step ended without waiting for approval."
            }
            return message(.gone, "This approval is closed", why, style, extra: ["state": .string(state)])
        case .forbidden(let why):
            metrics.count("refused")
            return message(.forbidden, "Not allowed", why, style)
        case .invalid(let field, let text):
            return message(.unprocessableContent, "Invalid answer", "\(field): \(text)", style, extra: ["field": .string(field)])
        }
    }

    private func failure(_ error: any Error, _ style: ResponseStyle) -> Response {
        if let refusal = error as? ApprovalDesk.Refusal { return self.refusal(refusal, style) }
        if let violation = error as? SchemaViolation { return refusal(.invalid(field: violation.field, message: violation.message), style) }
        metrics.count("unavailable")
        logger.error("approval request failed", metadata: ["error": "\(error)"])
        return message(.serviceUnavailable, "Try again shortly", "Sluice cannot reach its store right now; nothing was changed.", style)
    }

    private func message(_ status: HTTPResponse.Status, _ heading: String, _ text: String, _ style: ResponseStyle, extra: [String: JSONValue] = [:])
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

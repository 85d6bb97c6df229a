import Foundation
public import SluiceCore
import SluiceStore

/// A trigger request turned into a run's input, as Windmill turns it: the arguments `main` (or
/// the flow) gets, and the event a preprocessor gets instead.
public struct WebhookInput: Sendable, Equatable {
    /// The arguments without a preprocessor: the body's members, options added.
    public var arguments: JSONValue
    /// What a preprocessor receives as `event`: `kind`, `body`, `raw_string`, `headers`, `query`
    /// (and, for a route, `route`, `path`, `params`, `method`).
    public var event: JSONValue

    public init(arguments: JSONValue, event: JSONValue) {
        self.arguments = arguments
        self.event = event
    }
}

/// A request that cannot become a run, with the status and text to answer.
public struct WebhookInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Status: Sendable, Equatable {
        case badRequest
        case unsupportedMediaType
    }

    public let status: Status
    public let description: String

    public init(_ status: Status, _ description: String) {
        self.status = status
        self.description = description
    }
}

/// Windmill's rules for turning a webhook's body into arguments (its `args.rs`), and the
/// preprocessor event beside them:
///
/// - no content type and no body: no arguments; JSON (or no content type with a body): an
///   object's members by name — anything not starting with `{` becomes the argument `body`;
/// - `text/plain`, `application/xml`, `text/xml`: no arguments, the text as `raw_string`;
/// - `application/x-www-form-urlencoded`: each field as a string argument;
/// - CloudEvents (`application/cloudevents+json`): its `data` as above, the rest of the envelope
///   as `WEBHOOK__METADATA__`; any other type: 415.
///
/// Options as query parameters: `raw=true` adds `raw_string`, `wrap_body=true` passes an object
/// body whole as `body`, `include_header=A,B` adds those headers (as `a`, `b` with `-` as `_`),
/// `include_query=x,y` those query parameters.
public enum WebhookBody {
    /// The largest depth of JSON accepted, as everywhere else.
    public static let maximumDepth = JSONValue.maximumInputDepth

    /// The input of a webhook request. `payload` (a GET's `?payload=`, decoded) replaces the body.
    public static func input(_ request: TriggerRequest, payload: JSONValue? = nil, kind: String = "webhook") throws(WebhookInputError)
        -> WebhookInput
    {
        let raw = request.queryValue("raw") == "true"
        let wrap = request.queryValue("wrap_body") == "true"
        var (members, body, rawString) = try parse(request)
        if let payload {
            guard let object = payload.memberList else { throw WebhookInputError(.badRequest, "payload must be a JSON object") }
            members = object.map { ($0.key, $0.value) }
            body = payload
        }
        if wrap, body.objectValue != nil { members = [("body", body)] }
        if raw || request.isTextual, let rawString { members.append(("raw_string", .string(rawString))) }
        for name in list(request.queryValue("include_header")) {
            if let value = request.header(name) { members.append((name.lowercased().replacingDashes, .string(value))) }
        }
        for name in list(request.queryValue("include_query")) {
            if let value = request.queryValue(name) { members.append((name, .string(value))) }
        }
        return WebhookInput(arguments: JSONValue(members: members), event: event(request, kind: kind, body: body, rawString: rawString))
    }

    /// The input of a request to an HTTP route: the body's members only (plus `raw_string` when
    /// the route keeps it), and the route's fuller event.
    public static func routeInput(
        _ request: TriggerRequest, route: String, path: String, parameters: [(String, String)], keepsRawString: Bool
    ) throws(WebhookInputError) -> WebhookInput {
        let (members, body, rawString) = try parse(request)
        var arguments = members
        if keepsRawString || request.isTextual, let rawString { arguments.append(("raw_string", .string(rawString))) }
        var event = event(request, kind: "http", body: body, rawString: rawString)
        event = event.setting("route", to: .string(route)).setting("path", to: .string(path))
            .setting("params", to: JSONValue(members: parameters.map { ($0.0, .string($0.1)) }))
            .setting("method", to: .string(request.method.lowercased()))
        return WebhookInput(arguments: JSONValue(members: arguments), event: event)
    }

    /// The event a preprocessor gets. The Sluice token a sender presented (`Authorization:
    /// Bearer sltk_…`, the `token` cookie, `?token=`) is left out: Redis keeps only a token's
    /// hash, and the event is stored with the run.
    private static func event(_ request: TriggerRequest, kind: String, body: JSONValue, rawString: String?) -> JSONValue {
        let token = request.presentedToken.flatMap { $0.hasPrefix(TokenText.prefix) ? $0 : nil }
        var headers: [(String, JSONValue)] = []
        for (name, value) in request.headers {
            var value = value
            if let token, name == "authorization" || name == "cookie", value.contains(token) {
                value = value.replacingOccurrences(of: token, with: "[token]")
            }
            headers.removeAll { $0.0 == name }
            headers.append((name, .string(value)))
        }
        var query: [(String, JSONValue)] = []
        for (name, value) in request.query where !(name == "token" && value == token) {
            query.removeAll { $0.0 == name }
            query.append((name, .string(value)))
        }
        return JSONValue(members: [
            ("kind", .string(kind)), ("body", body), ("raw_string", rawString.map(JSONValue.string) ?? .null),
            ("headers", JSONValue(members: headers)), ("query", JSONValue(members: query)),
        ])
    }

    /// The body's arguments, the body as a value, and its text.
    private static func parse(_ request: TriggerRequest) throws(WebhookInputError) -> (
        members: [(String, JSONValue)], body: JSONValue, rawString: String?
    ) {
        let type = request.contentType?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        guard let text = String(validating: request.body, as: UTF8.self) else { throw WebhookInputError(.badRequest, "invalid utf8") }
        switch type {
        case nil where request.body.isEmpty:
            return ([], .emptyObject, "")
        case nil, "application/json":
            let value = try json(text)
            return (spread(value, text: text), value, text)
        case "application/cloudevents+json":
            let envelope = try json(text)
            guard let members = envelope.memberList else { throw WebhookInputError(.badRequest, "a CloudEvent is a JSON object") }
            let data = envelope["data"] ?? .null
            let metadata = JSONValue(members: members.filter { $0.key != "data" }.map { ($0.key, $0.value) })
            let arguments = data.memberList.map { $0.map { ($0.key, $0.value) } } ?? [("body", data)]
            return (arguments + [("WEBHOOK__METADATA__", metadata)], data, text)
        case "application/cloudevents-batch+json":
            throw WebhookInputError(.badRequest, "Cloud events batching is not supported")
        case "text/plain", "application/xml", "text/xml":
            return ([], .emptyObject, text)
        case "application/x-www-form-urlencoded":
            guard let fields = FormFields.decode(text) else { throw WebhookInputError(.badRequest, "invalid form body") }
            let members = fields.map { ($0.0, JSONValue.string($0.1)) }
            return (members, JSONValue(members: members), text)
        case "multipart/form-data":
            throw WebhookInputError(.unsupportedMediaType, "multipart bodies are not supported: send JSON, a form, or text")
        default:
            throw WebhookInputError(.unsupportedMediaType, "unsupported content type \(type ?? "")")
        }
    }

    private static func json(_ text: String) throws(WebhookInputError) -> JSONValue {
        do {
            return try JSONValue(parsing: text, maximumDepth: maximumDepth)
        } catch {
            throw WebhookInputError(.badRequest, "invalid json: \(error)")
        }
    }

    /// An object's members; anything else (Windmill looks at the first character) as `body`.
    private static func spread(_ value: JSONValue, text: String) -> [(String, JSONValue)] {
        guard text.first == "{", let members = value.memberList else { return [("body", value)] }
        return members.map { ($0.key, $0.value) }
    }

    private static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension TriggerRequest {
    /// Text bodies always keep their text as `raw_string`, as Windmill does.
    var isTextual: Bool {
        let type = contentType?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        return type == "text/plain" || type == "application/xml" || type == "text/xml"
    }
}

extension String {
    var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
}

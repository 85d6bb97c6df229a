import HTTPTypes
import Hummingbird
import SluiceCore

/// Whether an answer is a page for a browser or JSON for an API client: JSON when the request
/// sent JSON, or when its `Accept` lists `application/json` and not `text/html`; a page otherwise.
enum ResponseStyle {
    case html
    case json

    init(_ request: Request) {
        let sentJSON = request.headers[.contentType].flatMap(MediaType.init)?.matches(.json) ?? false
        let accepted = (request.headers[.accept] ?? "").split(separator: ",").compactMap { MediaType(String($0)) }
        let wantsJSON = accepted.contains { $0.matches(.json) } && !accepted.contains { $0.matches(MediaType(type: "text", subtype: "html")) }
        self = sentJSON || wantsJSON ? .json : .html
    }
}

extension Response {
    static func html(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.jsonText + "\n")))
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

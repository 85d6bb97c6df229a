import Foundation
import HTTPTypes
import Hummingbird
import SluiceApprovals

/// A state-changing request's form, read and checked before anything changes: a same-origin
/// request (`Sec-Fetch-Site`, when sent, `same-origin`; an `Origin` header, when it names one,
/// naming this host), an
/// `application/x-www-form-urlencoded` body within the limit, UTF-8, well formed, carrying the
/// session's CSRF token.
struct FormRequest {
    /// The fields, a repeated name's last value.
    var fields: [String: String]
    /// The fields in order, as sent.
    var pairs: [(name: String, value: String)]

    enum Refusal: Error {
        case crossOrigin
        case unsupportedType
        case tooLarge
        case malformed(ConsoleInputError)
        case csrf
    }

    /// Reads the form; `csrf` nil only for the login form, which has no session yet.
    static func read(_ request: Request, bodyLimit: Int, csrf: CSRFGuard?, session: String) async throws(Refusal) -> FormRequest {
        var request = request
        // A browser says where a request comes from: `Sec-Fetch-Site`, and `Origin` (sent as
        // `null` under the console's no-referrer policy, which then tells nothing).
        if let name = HTTPField.Name("Sec-Fetch-Site"), let site = request.headers[name], site != "same-origin", site != "none" {
            throw .crossOrigin
        }
        if let origin = request.headers[.origin], origin != "null" {
            let host = request.head.authority ?? ""
            guard let url = URL(string: origin), let originHost = url.host, "\(originHost)\(url.port.map { ":\($0)" } ?? "")" == host
            else { throw .crossOrigin }
        }
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else { throw .unsupportedType }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > bodyLimit { throw .tooLarge }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch {
            throw .tooLarge
        }
        guard let text = String(validating: body.readableBytesView, as: UTF8.self), let pairs = FormBody.fields(text) else {
            throw .malformed(ConsoleInputError(field: "body", "is not a well-formed UTF-8 form"))
        }
        var fields: [String: String] = [:]
        for (name, value) in pairs { fields[name] = value }
        if let csrf, !csrf.verify(fields["csrf"], session: session) { throw .csrf }
        return FormRequest(fields: fields, pairs: pairs)
    }
}

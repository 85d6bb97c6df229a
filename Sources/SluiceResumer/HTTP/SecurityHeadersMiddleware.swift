import HTTPTypes
import Hummingbird
import Logging

/// Puts ``SecurityHeaders`` on every answer of the router. Errors thrown further in (an
/// unmatched path or method, anything unexpected) are turned into their answers here, so those
/// carry the headers too.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = (try? error.response(from: request, context: context)) ?? Response(status: error.status)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            response = .text(.internalServerError, "Internal error\n")
        }
        SecurityHeaders.apply(to: &response.headers)
        return response
    }
}

/// The headers every resumer answer carries: a strict Content-Security-Policy (no scripts at
/// all, forms only to this origin, no framing), no referrer (links are secrets), no caching, no
/// sniffing.
enum SecurityHeaders {
    static let fields: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
    ]

    static func apply(to headers: inout HTTPFields) {
        for (name, value) in fields {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
    }
}

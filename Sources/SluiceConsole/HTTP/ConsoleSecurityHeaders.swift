import HTTPTypes
import Hummingbird
import Logging

/// Puts the console's security headers on every answer (errors thrown further in are turned
/// into their answers here first): the resumer's set — no framing, no referrer, no caching, no
/// sniffing — with a Content-Security-Policy that lets pages run only the console's own script
/// (`/static/console.js`) and open only streams to this origin. No inline script runs.
struct ConsoleSecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var fields: [(String, String)] {
        [
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            ),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = (try? error.response(from: request, context: context)) ?? Response(status: error.status)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            response = .init(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: .init(string: "Internal error\n")))
        }
        for (name, value) in Self.fields {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }
}

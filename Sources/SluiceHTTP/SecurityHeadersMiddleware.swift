import HTTPTypes
public import Hummingbird
import Logging

/// Puts a fixed set of security headers on every answer of a router — the resumer's and the
/// console's, each with its own set (``SecurityHeaderSet``). Errors thrown further in (an
/// unmatched path or method, anything unexpected) are turned into their answers here first, so
/// those carry the headers too; an unexpected error is logged by its type only and answered
/// `500 Internal error`.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    public let headers: SecurityHeaderSet

    public init(_ headers: SecurityHeaderSet) {
        self.headers = headers
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = (try? error.response(from: request, context: context)) ?? Response(status: error.status)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            response = Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: .init(string: "Internal error\n")))
        }
        headers.apply(to: &response.headers)
        return response
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import SluiceRedis

extension ConsoleRoutes {
    /// Runs `body` with the routes acting for the request's operator: on loopback, the console's
    /// operator; under `--auth token`, the operator of a valid session cookie — else a GET is sent
    /// to the login page and anything else answered 401, with nothing read or changed.
    func authorized(_ request: Request, _ body: (ConsoleRoutes) async -> Response) async -> Response {
        guard let authentication else { return await body(self) }
        guard let value = SessionCookie.read(request.headers[.cookie]) else { return unauthenticated(request) }
        let pool = pool
        let found = try? await pool.run { connection -> (name: String, session: String)? in
            let now = try connection.serverMilliseconds()
            guard let (session, hash) = authentication.cookies.verify(value, now: now),
                let name = try authentication.tokens.name(ofHash: hash, on: connection)
            else { return nil }
            return (name, session)
        }
        guard let found = found ?? nil else { return unauthenticated(request) }
        var routes = self
        routes.operatorName = found.name
        routes.session = found.session
        routes.pages = pages.speaking(as: found.name)
        return await body(routes)
    }

    private func unauthenticated(_ request: Request) -> Response {
        if request.method == .get, !request.uri.path.hasPrefix("/live/") { return .seeOther("/login") }
        return .page(.unauthorized, pages.message(heading: "Sign in first", message: "This console asks for an operator token.", success: false))
    }

    func loginPage(_ request: Request) async -> Response {
        guard authentication != nil else { return .seeOther("/") }
        return .page(.ok, pages.login(error: nil))
    }

    /// POST /login: a token known to `P:console:operators` opens a session (the cookie names the
    /// token by its hash); anything else is refused with nothing set.
    func login(_ request: Request) async -> Response {
        guard let authentication else { return .seeOther("/") }
        let form: FormRequest
        do {
            form = try await FormRequest.read(request, bodyLimit: bodyLimit, csrf: nil, session: "")
        } catch {
            return .page(.forbidden, pages.login(error: "The form could not be read."))
        }
        let hash = OperatorTokens.hash(form.fields["token"]?.trimmingCharacters(in: .whitespaces) ?? "")
        let pool = pool
        do {
            let opened = try await pool.run { connection -> (name: String, cookie: String)? in
                guard let name = try authentication.tokens.name(ofHash: hash, on: connection) else { return nil }
                let cookie = authentication.cookies.value(tokenHash: hash, now: try connection.serverMilliseconds())
                try AuditLog(keys: authentication.tokens.keys).record(who: name, action: "login", target: name, outcome: "signed in", on: connection)
                return (name, cookie)
            }
            guard let opened else { return .page(.unauthorized, pages.login(error: "That token is not valid (unknown or revoked).")) }
            return Response(status: .seeOther, headers: [.location: "/", .setCookie: SessionCookie.header(opened.cookie)])
        } catch {
            return .page(.serviceUnavailable, pages.login(error: "Redis is unavailable: \(error)"))
        }
    }
}

import Foundation
import SluiceConsole
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `--auth token`: operator tokens kept hashed, a login page, a session cookie, CSRF bound to it.
@Suite("Console operator tokens", .serialized, .tags(.processes))
struct ConsoleAuthTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    /// The session cookie a `Set-Cookie` header sets (`name=value`).
    static func cookie(_ answer: ConsoleStack.Answer) -> String? {
        answer.headers["set-cookie"]?.split(separator: ";").first.map(String.init)
    }

    @Test(
        "pages need a session: a token signs in (hashed at rest, cookie HttpOnly; Secure; SameSite=Strict); actions are recorded under its name; revoking ends the session"
    )
    func tokensAndSessions() async throws {
        try await ConsoleStack.with(server: server, worker: false, operatorTokens: true) { stack in
            let connection = try stack.harness.server.connect()
            let tokens = OperatorTokens(keys: stack.keys)
            let token = try tokens.create(name: "ana", on: connection)
            #expect(token.hasPrefix("slc_") && token.count == 68)
            let stored = (try connection.send("HGETALL", .string(tokens.key)).array ?? []).compactMap(\.string).joined(separator: " ")
            #expect(!stored.contains(token))
            #expect(stored.contains(OperatorTokens.hash(token)))
            // Without a session: pages send to the login page, streams and actions are refused.
            let anonymous = try await stack.get("/")
            #expect(anonymous.status == 303)
            #expect(anonymous.headers["location"] == "/login")
            #expect(try await stack.get("/live/overview").status == 401)
            #expect(try await stack.get("/variables").status == 303)
            let later = try connection.serverMilliseconds() + 3_600_000
            let job = try stack.identityJob(runAt: later)
            #expect(try await stack.request("POST", "/jobs/\(job.rawValue)/cancel", form: [("csrf", "x")]).status == 401)
            #expect(try await stack.get("/login").body.contains(#"<input type="password" name="token""#))
            let wrong = try await stack.request("POST", "/login", form: [("token", "slc_" + String(repeating: "0", count: 64))])
            #expect(wrong.status == 401)
            #expect(wrong.headers["set-cookie"] == nil)
            let signedIn = try await stack.request("POST", "/login", form: [("token", token)])
            #expect(signedIn.status == 303)
            let setCookie = try #require(signedIn.headers["set-cookie"])
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] { #expect(setCookie.contains(attribute), "\(setCookie)") }
            #expect(!setCookie.contains(token))
            let cookie = try #require(Self.cookie(signedIn))
            let overview = try await stack.request("GET", "/", headers: ["Cookie": cookie])
            #expect(overview.status == 200)
            #expect(overview.body.contains("operator: ana"))
            #expect(overview.body.contains(#"action="/logout""#))
            let loggedOut = try await stack.request("POST", "/logout", form: [], headers: ["Cookie": cookie])
            #expect(loggedOut.status == 303)
            #expect(loggedOut.headers["set-cookie"]?.contains("Max-Age=0") == true)
            // A cookie whose MAC was changed is no session.
            let forged = String(cookie.dropLast()) + (cookie.hasSuffix("0") ? "1" : "0")
            #expect(try await stack.request("GET", "/", headers: ["Cookie": forged]).status == 303)
            // CSRF tokens belong to their session: another session's token is refused.
            let confirmation = try await stack.request("GET", "/jobs/\(job.rawValue)/cancel", headers: ["Cookie": cookie])
            let csrf = try #require(ConsoleStack.csrfToken(in: confirmation.body))
            try await Task.sleep(for: .milliseconds(5))
            let other = try #require(Self.cookie(try await stack.request("POST", "/login", form: [("token", token)])))
            #expect(other != cookie)
            let crossed = try await stack.request("POST", "/jobs/\(job.rawValue)/cancel", form: [("csrf", csrf)], headers: ["Cookie": other])
            #expect(crossed.status == 403)
            #expect(try stack.harness.store.job(job, on: connection)?.state == .scheduled)
            let canceled = try await stack.request("POST", "/jobs/\(job.rawValue)/cancel", form: [("csrf", csrf)], headers: ["Cookie": cookie])
            #expect(canceled.status == 303)
            #expect(try stack.harness.store.job(job, on: connection)?.state == .canceled)
            let audit = try AuditLog(keys: stack.keys).entries(on: connection)
            #expect(audit.first?.who == "ana" && audit.first?.action == "cancel")
            #expect(try tokens.revoke(name: "ana", on: connection) == 1)
            #expect(try await stack.request("GET", "/", headers: ["Cookie": cookie]).status == 303)
        }
    }

    @Test(
        "sluice console: token create prints a token once and list never shows it; --auth token serves a non-loopback address behind the login page")
    func commandLine() async throws {
        let prefix = "t-console-auth"
        let environment = server.sluiceEnvironment(prefix: prefix)
        let made = try await runCommand("sluice", ["console", "token", "create", "ana"], environment: environment)
        #expect(made.status == 0, "\(made.stderr)")
        let token = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("slc_"))
        let listed = try await runCommand("sluice", ["console", "token", "list"], environment: environment)
        #expect(listed.stdout.hasPrefix("ana\t"))
        #expect(!listed.stdout.contains(token))
        let port = try RedisServer.freePort()
        let child = try ChildProcess("sluice", ["console", "--listen", "0.0.0.0:\(port)", "--auth", "token"], environment: environment)
        var printed = false
        for _ in 0..<500 where !printed {
            try await Task.sleep(for: .milliseconds(20))
            printed = child.log.contains("Sluice console on http://0.0.0.0:\(port)/")
        }
        #expect(printed, "\(child.log)")
        let stack = ConsoleStack(harness: WorkerHarness(server: server, keys: KeySpace(prefix: prefix)), port: port)
        let anonymous = try await stack.get("/")
        #expect(anonymous.status == 303)
        #expect(anonymous.headers["location"] == "/login")
        let signedIn = try await stack.request("POST", "/login", form: [("token", token)])
        #expect(signedIn.status == 303)
        let cookie = try #require(Self.cookie(signedIn))
        #expect(try await stack.request("GET", "/", headers: ["Cookie": cookie]).body.contains("operator: ana"))
        let revoked = try await runCommand("sluice", ["console", "token", "revoke", "ana"], environment: environment)
        #expect(revoked.stdout.contains("revoked 1 token(s) of ana"))
        #expect(try await stack.request("GET", "/", headers: ["Cookie": cookie]).status == 303)
        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: .seconds(15)) != nil)
    }
}

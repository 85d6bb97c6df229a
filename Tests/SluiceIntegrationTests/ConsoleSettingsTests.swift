import Foundation
import SluiceConsole
import SluiceCore
import SluiceRedis
import SluiceSecrets
import SluiceStore
import SluiceTesting
import Testing

/// Schedules, variables and resources in the console.
@Suite("Console schedules and variables", .serialized)
struct ConsoleSettingsTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("a schedule is paused and resumed from its page, at the version read, and audited")
    func pauseAndResume() async throws {
        try await ConsoleStack.with(server: server, worker: false) { stack in
            let connection = try stack.harness.server.connect()
            let store = ScheduleStore(keys: stack.keys)
            let now = try connection.serverMilliseconds()
            _ = try store.set(ScheduleDefinition(name: "nightly", path: "f/ops/report", cron: "0 3 * * *"), nextDue: now + 3_600_000, on: connection)
            let page = try await stack.get("/schedules")
            #expect(page.body.contains(#"<tr data-schedule="nightly" data-enabled="true">"#))
            #expect(page.body.contains(#"action="/schedules/pause""#))
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            #expect(try await stack.request("POST", "/schedules/pause", form: [("name", "nightly")]).status == 403)
            #expect(try store.schedule("nightly", on: connection)?.definition.enabled == true)
            let paused = try await stack.request("POST", "/schedules/pause", form: [("csrf", token), ("name", "nightly")])
            #expect(paused.status == 303)
            #expect(try store.schedule("nightly", on: connection)?.definition.enabled == false)
            #expect(try connection.send("ZSCORE", .string(stack.keys.schedulesDue), "nightly").isNull)
            #expect(try await stack.get("/schedules").body.contains(#"<tr data-schedule="nightly" data-enabled="false">"#))
            let resumed = try await stack.request("POST", "/schedules/resume", form: [("csrf", token), ("name", "nightly")])
            #expect(resumed.status == 303)
            let record = try #require(try store.schedule("nightly", on: connection))
            #expect(record.definition.enabled)
            #expect((record.nextDue ?? 0) > now)
            #expect(try await stack.request("POST", "/schedules/pause", form: [("csrf", token), ("name", "weekly")]).status == 404)
            let audit = try AuditLog(keys: stack.keys).entries(on: connection)
            #expect(audit.map(\.action) == ["resume-schedule", "pause-schedule"])
            #expect(audit.map(\.outcome) == ["resumed", "paused"])
        }
    }

    @Test(
        "a resource is edited from its page at the version shown (type kept), audited; text that is not a JSON object is refused naming the field, a stale version with 409, and neither changes it"
    )
    func editResource() async throws {
        try await ConsoleStack.with(server: server, worker: false) { stack in
            let connection = try stack.harness.server.connect()
            let resources = ResourceStore(keys: stack.keys)
            try resources.set(path: "f/ops/db", type: "postgresql", value: ["host": "db-1", "password": "$var:f/ops/db_password"], on: connection)
            let page = try await stack.get("/variables")
            #expect(page.body.contains(#"action="/resources/set""#))
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            let edited = #"{"host": "db-2", "password": "$var:f/ops/db_password"}"#
            #expect(
                try await stack.request("POST", "/resources/set", form: [("path", "f/ops/db"), ("version", "1"), ("value", edited)]).status == 403)
            let bad = try await stack.request(
                "POST", "/resources/set", form: [("csrf", token), ("path", "f/ops/db"), ("version", "1"), ("value", "[1, 2")])
            #expect(bad.status == 400)
            #expect(bad.body.contains("value"))
            let set = try await stack.request(
                "POST", "/resources/set", form: [("csrf", token), ("path", "f/ops/db"), ("version", "1"), ("value", edited)])
            #expect(set.status == 303)
            let stored = try #require(try resources.resource(at: "f/ops/db", on: connection))
            #expect(stored.type == "postgresql")
            #expect(stored.value == ["host": "db-2", "password": "$var:f/ops/db_password"])
            #expect(stored.version == 2)
            let stale = try await stack.request(
                "POST", "/resources/set", form: [("csrf", token), ("path", "f/ops/db"), ("version", "1"), ("value", "{}")])
            #expect(stale.status == 409)
            #expect(try resources.resource(at: "f/ops/db", on: connection)?.version == 2)
            #expect(try await stack.get("/audit").body.contains("set-resource"))
        }
    }

    @Test("a secret's value never appears in any page or response — listed, set from the console, or after — while plain variables show")
    func secretNeverSent() async throws {
        try await ConsoleStack.with(server: server, liveLifetime: .milliseconds(600)) { stack in
            let connection = try stack.harness.server.connect()
            let variables = VariableStore(keys: stack.keys)
            let key = SecretPrivateKey.generate()
            let secret = "sk_live_\(UUID().uuidString)"
            let replacement = "sk_live_\(UUID().uuidString)"
            try variables.set(
                VariableUpdate(
                    path: "f/pay/stripe",
                    value: .sealed(try SecretSeal.seal(secret, path: "f/pay/stripe", to: key.publicKey), publicKey: key.publicKey)),
                on: connection)
            try variables.set(VariableUpdate(path: "f/pay/region", value: .plain("eu-west-1")), on: connection)
            try ResourceStore(keys: stack.keys).set(
                path: "f/pay/account", type: "stripe", value: ["key": "$var:f/pay/stripe", "region": "eu"], on: connection)
            let sealed = try #require(try variables.variable(at: "f/pay/stripe", on: connection)?.storedValue)
            // A job that ran with the secret's path in its arguments, so the job pages have something to show.
            let job = try stack.identityJob(["uses": "$var:f/pay/stripe"])
            _ = try await stack.harness.finished(job)
            var seen: [String] = []
            let page = try await stack.get("/variables")
            #expect(page.body.contains(#"<tr data-variable="f/pay/stripe">"#))
            #expect(page.body.contains("secret — sealed, never shown"))
            #expect(page.body.contains("<code>eu-west-1</code>"))
            #expect(page.body.contains("$var:f/pay/stripe"))
            seen.append(page.body)
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            let set = try await stack.request(
                "POST", "/variables/set", form: [("csrf", token), ("path", "f/pay/stripe"), ("version", "1"), ("value", replacement)])
            #expect(set.status == 303)
            seen.append(set.body + set.headers.description)
            let stored = try #require(try variables.variable(at: "f/pay/stripe", on: connection))
            #expect(stored.isSecret)
            #expect(try SecretKeyring([key]).open(stored.storedValue, path: "f/pay/stripe") == replacement)
            // A write at a version no longer current changes nothing.
            let stale = try await stack.request(
                "POST", "/variables/set", form: [("csrf", token), ("path", "f/pay/stripe"), ("version", "1"), ("value", "other")])
            #expect(stale.status == 409)
            #expect(try variables.variable(at: "f/pay/stripe", on: connection)?.version == stored.version)
            for path in [
                "/", "/live/overview", "/jobs", "/jobs?kinds=all", "/jobs/\(job.rawValue)", "/live/jobs/\(job.rawValue)", "/variables", "/gates",
                "/scripts", "/schedules", "/audit", "/static/console.js",
            ] {
                let answer = try await stack.get(path)
                #expect(answer.status == 200, "\(path)")
                seen.append(answer.body + answer.headers.description)
            }
            for text in seen {
                #expect(!text.contains(secret))
                #expect(!text.contains(replacement))
                #expect(!text.contains(sealed))
                #expect(!text.contains(stored.storedValue))
            }
            #expect(try AuditLog(keys: stack.keys).entries(on: connection).allSatisfy { !$0.outcome.contains(replacement) })
        }
    }

    @Test(
        "variables, secrets and resources are created and deleted from the console: created only where none is, bad fields refused by name, deletes confirmed first, all CSRF-checked and audited, a new secret's value never sent back"
    )
    func createAndDelete() async throws {
        try await ConsoleStack.with(server: server, worker: false) { stack in
            let connection = try stack.harness.server.connect()
            let variables = VariableStore(keys: stack.keys)
            let resources = ResourceStore(keys: stack.keys)
            let key = SecretPrivateKey.generate()
            // The first sealed value registers the secrets key the console seals new secrets to.
            try variables.set(
                VariableUpdate(
                    path: "f/ops/seed", value: .sealed(try SecretSeal.seal("x", path: "f/ops/seed", to: key.publicKey), publicKey: key.publicKey)),
                on: connection)
            let page = try await stack.get("/variables")
            #expect(page.body.contains(#"action="/variables/create""#))
            #expect(page.body.contains(#"action="/resources/create""#))
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            // Without the CSRF token: refused, nothing created.
            let forged = try await stack.request("POST", "/variables/create", form: [("path", "f/ops/region"), ("value", "eu")])
            #expect(forged.status == 403)
            #expect(try variables.variable(at: "f/ops/region", on: connection) == nil)
            // A plain variable.
            let plain = try await stack.request(
                "POST", "/variables/create", form: [("csrf", token), ("path", "f/ops/region"), ("value", "eu"), ("description", "where")])
            #expect(plain.status == 303)
            let region = try #require(try variables.variable(at: "f/ops/region", on: connection))
            #expect(!region.isSecret)
            #expect(region.storedValue == "eu")
            #expect(region.description == "where")
            // Creating where one is changes nothing.
            let again = try await stack.request("POST", "/variables/create", form: [("csrf", token), ("path", "f/ops/region"), ("value", "us")])
            #expect(again.status == 409)
            #expect(again.body.contains("already exists"))
            #expect(try variables.variable(at: "f/ops/region", on: connection)?.storedValue == "eu")
            let badPath = try await stack.request("POST", "/variables/create", form: [("csrf", token), ("path", "not a path"), ("value", "1")])
            #expect(badPath.status == 400)
            #expect(badPath.body.contains("Field path"))
            // A secret: sealed to the registered key, its value never in the answer or the page.
            let secretValue = "tok_\(UUID().uuidString)"
            let secret = try await stack.request(
                "POST", "/variables/create", form: [("csrf", token), ("path", "f/ops/token"), ("value", secretValue), ("secret", "on")])
            #expect(secret.status == 303)
            let stored = try #require(try variables.variable(at: "f/ops/token", on: connection))
            #expect(stored.isSecret)
            #expect(try SecretKeyring([key]).open(stored.storedValue, path: "f/ops/token") == secretValue)
            let after = try await stack.get("/variables")
            #expect(after.body.contains(#"<tr data-variable="f/ops/token">"#))
            for text in [secret.body, secret.headers.description, after.body] { #expect(!text.contains(secretValue)) }
            // A resource: a JSON object whose references name variables only.
            let db = #"{"host": "db-1", "password": "$var:f/ops/token"}"#
            let created = try await stack.request(
                "POST", "/resources/create", form: [("csrf", token), ("path", "f/ops/db"), ("type", "postgresql"), ("value", db)])
            #expect(created.status == 303)
            let resource = try #require(try resources.resource(at: "f/ops/db", on: connection))
            #expect(resource.type == "postgresql")
            #expect(resource.value == ["host": "db-1", "password": "$var:f/ops/token"])
            for (field, form) in [
                ("value", [("path", "f/ops/other"), ("type", "postgresql"), ("value", "[1]")]),
                ("value", [("path", "f/ops/other"), ("type", "postgresql"), ("value", #"{"x": "$res:f/ops/db"}"#)]),
                ("type", [("path", "f/ops/other"), ("type", "no spaces"), ("value", "{}")]),
            ] {
                let refused = try await stack.request("POST", "/resources/create", form: [("csrf", token)] + form)
                #expect(refused.status == 400, "\(form)")
                #expect(refused.body.contains("Field \(field)"), "\(form): \(refused.body)")
            }
            #expect(try resources.resource(at: "f/ops/other", on: connection) == nil)
            // Deleting asks first; the answer to the question deletes.
            let question = try await stack.get("/variables/delete?path=f/ops/region")
            #expect(question.status == 200)
            #expect(question.body.contains("Delete this variable for good?"))
            #expect(try await stack.get("/variables/delete?path=f/ops/nothing").status == 404)
            #expect(try await stack.request("POST", "/variables/delete", form: [("path", "f/ops/region")]).status == 403)
            #expect(try variables.variable(at: "f/ops/region", on: connection) != nil)
            #expect(try await stack.request("POST", "/variables/delete", form: [("csrf", token), ("path", "f/ops/region")]).status == 303)
            #expect(try variables.variable(at: "f/ops/region", on: connection) == nil)
            #expect(try await stack.request("POST", "/variables/delete", form: [("csrf", token), ("path", "f/ops/region")]).status == 404)
            #expect(try await stack.get("/resources/delete?path=f/ops/db").body.contains("Delete this resource for good?"))
            #expect(try await stack.request("POST", "/resources/delete", form: [("csrf", token), ("path", "f/ops/db")]).status == 303)
            #expect(try resources.resource(at: "f/ops/db", on: connection) == nil)
            let actions = Set(try AuditLog(keys: stack.keys).entries(on: connection).map(\.action))
            #expect(
                actions.isSuperset(of: ["create-variable", "create-secret", "create-resource", "delete-variable", "delete-resource"]), "\(actions)")
            #expect(try AuditLog(keys: stack.keys).entries(on: connection).allSatisfy { !$0.outcome.contains(secretValue) })
        }
    }
}

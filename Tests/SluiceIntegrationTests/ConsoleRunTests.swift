import Foundation
import SluiceConsole
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// Scripts and flows in the console: the lists, a flow's run form generated from its schema,
/// and runs started from the forms — bad input refused naming the field.
@Suite("Console run forms", .serialized)
struct ConsoleRunTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let flow = """
        summary: Resize the fleet
        description: Adds or removes machines.
        schema:
          type: object
          properties:
            n: {type: integer, description: How many machines, minimum: 1}
            mode: {type: string, enum: [fast, slow], default: fast}
            dry: {type: boolean}
            tags: {type: array, items: {type: string}}
          required: [n]
        value:
          modules:
            - id: resize
              value:
                type: rawscript
                language: bash
                content: "n=\\"$1\\"\\nmode=\\"$2\\"\\ndry=\\"$3\\"\\necho \\"{\\\\\\"n\\\\\\": $n, \\\\\\"mode\\\\\\": \\\\\\"$mode\\\\\\", \\\\\\"dry\\\\\\": $dry}\\""
                input_transforms:
                  n: {type: javascript, expr: flow_input.n}
                  mode: {type: javascript, expr: flow_input.mode}
                  dry: {type: javascript, expr: flow_input.dry}
        """

    @Test("a flow's run form is generated from its schema, refuses bad input naming the field, and starts the run with good input")
    func flowRunForm() async throws {
        try await ConsoleStack.with(server: server) { stack in
            try stack.harness.pushFlow(Self.flow, path: "f/ops/resize")
            let list = try await stack.get("/scripts")
            #expect(list.body.contains(#"<tr data-flow="f/ops/resize">"#))
            let page = try await stack.get("/flow?path=f/ops/resize")
            #expect(page.status == 200)
            #expect(page.body.contains(#"type="number" step="1" name="in.n" value="" required"#))
            #expect(page.body.contains("How many machines"))
            // A field without a description shows none (not the flow's own).
            #expect(page.body.components(separatedBy: "Adds or removes machines.").count == 3)  // the page's description and the source
            #expect(page.body.contains(#"<option value="fast" selected>fast</option><option value="slow">slow</option>"#))
            #expect(page.body.contains(#"<input type="checkbox" name="in.dry" value="true">"#))
            #expect(page.body.contains(#"<textarea id="f-in.tags" name="in.tags">"#))
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            let base: [(String, String)] = [("csrf", token), ("kind", "flow"), ("path", "f/ops/resize"), ("in.mode", "slow")]
            let cases: [([(String, String)], String)] = [
                ([("in.n", "many")], "Field flow_input.n expected integer, got &#39;many&#39;"),
                ([("in.n", "2.5")], "flow_input.n"),
                ([("in.n", "0")], "flow_input.n"),
                ([], "flow_input.n"),
                ([("in.n", "3"), ("in.tags", "[1,")], "Field flow_input.tags is not valid JSON"),
                ([("in.n", "3"), ("queue", "no queue!")], "Field queue"),
            ]
            for (fields, expected) in cases {
                let answer = try await stack.request("POST", "/run", form: base + fields)
                #expect(answer.status == 400, "\(fields)")
                #expect(answer.body.contains(expected), "\(fields): \(answer.body)")
            }
            let connection = try stack.harness.server.connect()
            #expect(try connection.send("ZCARD", .string(stack.keys.activeFlows)).integer == 0)
            let started = try await stack.request("POST", "/run", form: base + [("in.n", "4"), ("in.dry", "true")])
            #expect(started.status == 303)
            let id = try #require(started.headers["location"].flatMap { JobID(String($0.dropFirst("/jobs/".count))) })
            let done = try await stack.harness.finished(id)
            #expect(done.state == .success)
            #expect(done.arguments == ["n": 4, "mode": "slow", "dry": true])
            #expect(done.result == ["n": 4, "mode": "slow", "dry": true])
            #expect(done.createdBy == ConsoleStack.operatorName)
            let audit = try AuditLog(keys: stack.keys).entries(on: connection)
            #expect(audit.first?.outcome == "started \(id.rawValue)")
            #expect(audit.dropFirst().allSatisfy { $0.outcome.hasPrefix("refused: ") })
        }
    }

    @Test("a script's page shows its source and versions; its run form takes JSON arguments, refusing anything but an object")
    func scriptRunForm() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let connection = try stack.harness.server.connect()
            let path = try #require(ScriptPath("f/ops/greet"))
            _ = try ScriptStore(keys: stack.keys).push(
                path: path, language: .bash, content: "name=\"$1\"\necho \"{\\\"hello\\\": \\\"$name\\\"}\"\n", on: connection)
            let page = try await stack.get("/script?path=f/ops/greet")
            #expect(page.status == 200)
            #expect(page.body.contains("echo &quot;{\\&quot;hello"))
            #expect(page.body.contains(#"<ul id="versions">"#))
            #expect(try await stack.get("/script?path=f/ops/nothing").status == 404)
            #expect(try await stack.get("/script").status == 400)
            let token = try #require(ConsoleStack.csrfToken(in: page.body))
            let base: [(String, String)] = [("csrf", token), ("kind", "script"), ("path", "f/ops/greet")]
            let bad = try await stack.request("POST", "/run", form: base + [("args", "[\"ada\"]")])
            #expect(bad.status == 400)
            #expect(bad.body.contains("Field args must be a JSON object"))
            let started = try await stack.request("POST", "/run", form: base + [("args", #"{"name": "ada"}"#)])
            #expect(started.status == 303)
            let id = try #require(started.headers["location"].flatMap { JobID(String($0.dropFirst("/jobs/".count))) })
            #expect(try await stack.harness.finished(id).result == ["hello": "ada"])
        }
    }
}

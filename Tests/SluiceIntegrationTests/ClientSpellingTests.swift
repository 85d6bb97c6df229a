import Foundation
import SluiceCore
import SluiceStore
import SluiceTesting
import Testing

/// Every spelling of Windmill's TypeScript client in one real approval flow, driven over HTTP to
/// its end: Windmill's prompt loop (a while loop around an approval form, with the pinned npm
/// spelling real workspaces use), then one gated step per other spelling — pinned and ranged npm
/// versions, Bun's `windmill-client@…`, the legacy Deno client at several versions with its own
/// names, a dynamic import. Each step mints links bound to an approver through its client; the
/// test approves each gate by POSTing its link to the resumer.
@Suite("Windmill client spellings over real HTTP", .serialized)
struct ClientSpellingTests {
    let server: RedisServer

    init() async throws {
        try RequiredTool.deno()
        server = try await RedisServer.start()
    }

    /// The gated steps after the loop: id, language, and the lines that get `urls`.
    static let spellings: [(id: String, language: String, code: String)] = [
        ("pinned", "deno", "import { getResumeUrls } from \"npm:windmill-client@1.323.2\";\nconst urls = await getResumeUrls(\"alice\");"),
        ("bun_pinned", "bun", "import wmill from \"windmill-client@1.400.0\";\nconst urls = await wmill.getResumeUrls(\"alice\");"),
        ("bun_plain", "bun", "import * as wmill from 'windmill-client'\nconst urls = await wmill.getResumeUrls(\"alice\");"),
        ("npm_plain", "deno", "import * as wmill from \"npm:windmill-client\";\nconst urls = await wmill.getResumeUrls(\"alice\");"),
        (
            "legacy_endpoints", "deno",
            "import * as wmill from 'https://deno.land/x/windmill@v1.27.2/mod.ts'\nconst urls = await wmill.getResumeEndpoints(\"alice\");"
        ),
        (
            "legacy_typed", "deno",
            "import { getResumeUrls, type Resource } from \"https://deno.land/x/windmill@v1.70.1/mod.ts\";\nconst none: Resource<\"x\"> = null;\nconst urls = await getResumeUrls(\"alice\");"
        ),
        (
            "legacy_unversioned", "deno",
            "import { getResumeUrls } from \"https://deno.land/x/windmill/mod.ts\";\nconst urls = await getResumeUrls(\"alice\");"
        ),
        ("dynamic", "deno", "const wmill = await import(\"npm:windmill-client@~1.158\");\nconst urls = await wmill.getResumeUrls(\"alice\");"),
    ]

    static var flow: String {
        var modules = [
            """
                - id: loop
                  value:
                    type: whileloopflow
                    skip_failures: false
                    modules:
                      - id: prompt
                        value:
                          type: rawscript
                          language: deno
                          content: |
                            import * as wmill from "npm:windmill-client@^1.158.2";

                            export async function main(round: number) {
                              const urls = await wmill.getResumeUrls("alice");
                              return { ...urls, description: `Round ${round}: done yet?` };
                            }
                          input_transforms:
                            round: {type: javascript, expr: flow_input.iter.index}
                        suspend:
                          required_events: 1
                          timeout: 600
                          resume_form:
                            schema: {type: object, properties: {done: {type: boolean}}, required: [done]}
                      - id: decide
                        value:
                          type: rawscript
                          language: deno
                          content: "export function main(done: boolean) { return done; }"
                          input_transforms:
                            done: {type: javascript, expr: resume.done}
                        stop_after_if: {expr: 'result == true'}
            """
        ]
        for spelling in spellings {
            let content = spelling.code + "\nexport async function main() {\n  return { ...urls, step: \"\(spelling.id)\" };\n}\n"
            modules.append(
                """
                    - id: \(spelling.id)
                      value:
                        type: rawscript
                        language: \(spelling.language)
                        content: \(JSONValue.string(content).jsonText)
                      suspend: {required_events: 1, timeout: 600}
                """)
        }
        modules.append(
            """
                - id: done
                  value:
                    type: rawscript
                    language: deno
                    content: "export function main(approvers: string[], rounds: boolean[]) { return { approvers, rounds }; }"
                    input_transforms:
                      approvers: {type: javascript, expr: approvers}
                      rounds: {type: javascript, expr: results.loop}
            """)
        return "summary: every client spelling\nvalue:\n  modules:\n" + modules.joined(separator: "\n") + "\n"
    }

    @Test("each spelling's step mints links for its approver; approving every gate over HTTP takes the flow to its end")
    func everySpelling() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let flow = try stack.harness.startFlow(Self.flow)
            let connection = try server.connect()
            var approved: [String] = []
            var handled = Set<JobID>()
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                let job = try #require(try stack.harness.store.job(flow, on: connection))
                if job.state.isFinal { break }
                guard let gate = try stack.gates.gates(ofFlow: flow, on: connection).first(where: { $0.state == .open && !handled.contains($0.id) })
                else {
                    try await Task.sleep(for: .milliseconds(20))
                    continue
                }
                handled.insert(gate.id)
                let step = try #require(try stack.harness.store.job(gate.id, on: connection))
                #expect(step.state == .success, "\(gate.moduleID): \(step.error ?? "")")
                let resume = try #require(step.result?["resume"]?.stringValue, "\(gate.moduleID): \(step.result?.jsonText ?? step.error ?? "")")
                #expect(resume.contains("/u." + Base64URL.encode(Array("alice".utf8)) + "/"), "a link bound to alice: \(resume)")
                let payload = gate.moduleID == "prompt" ? (approved.contains("prompt") ? "{\"done\": true}" : "{\"done\": false}") : "{}"
                let answer = try await stack.request("POST", resume, body: payload)
                #expect(answer.status == 200, "\(gate.moduleID): \(answer.status) \(answer.body)")
                approved.append(gate.moduleID)
            }
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success, "\(done.error ?? "")")
            #expect(approved == ["prompt", "prompt"] + Self.spellings.map(\.id))
            #expect(done.result == ["approvers": ["alice"], "rounds": [false, true]])
        }
    }
}

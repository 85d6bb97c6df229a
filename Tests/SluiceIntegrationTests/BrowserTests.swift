import Foundation
import SluiceCore
import SluiceStore
import SluiceTesting
import Testing

/// The approval page in a real browser: headless Chromium (Debian's `chromium` and
/// `chromium-driver`, driven by selenium) opens it, fills the form and clicks Approve.
@Suite("The approval page in headless Chromium", .serialized, .tags(.browser))
struct BrowserTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("a person fills the form rendered from the schema (default args, dynamic enums) and the flow resumes with those values")
    func approveInBrowser() async throws {
        try await ApprovalStack.with(server: server) { stack in
            let ask = """
                def main():
                    return {
                        "description": "Refund **12.50 EUR** for order `A-17`?",
                        "default_args": {"note": "refund A-17"},
                        "enums": {"channel": ["card", "bank transfer"]},
                    }
                """
            let suspend = """
                required_events: 1
                resume_form:
                  schema:
                    type: object
                    properties:
                      note: {type: string, description: For the ledger}
                      channel: {type: string}
                      amount: {type: number, default: 12.5}
                      urgent: {type: boolean}
                    required: [channel]
                """
            let (flow, gate) = try await stack.startAndPark(ApprovalTests.gatedFlow(suspend, ask: ask))
            let page = stack.links(gate, approver: "alice").approvalPage
            let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-approval-\(UUID().uuidString).png")
            defer { try? FileManager.default.removeItem(at: screenshot) }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("browser/approve_in_browser.py").path
            let run = try await runProcess(
                "/usr/bin/python3", [script, page, screenshot.path, "channel=select:bank transfer", "urgent=check", "amount=7.25"])
            #expect(run.status == 0, "browser run failed: \(run.stderr)")
            let seen = try JSONValue(parsing: run.stdout)
            #expect(seen["title"] == "Ship it")
            #expect(seen["prefilled"]?["note"] == "refund A-17")
            #expect(seen["prefilled"]?["amount"] == "12.5")
            #expect(seen["options"]?["channel"] == ["card", "bank transfer"])
            #expect(seen["heading"] == "Approved")
            #expect(FileManager.default.fileExists(atPath: screenshot.path))
            if let keep = ProcessInfo.processInfo.environment["SLUICE_KEEP_SCREENSHOT"] {
                try? FileManager.default.removeItem(atPath: keep)
                try FileManager.default.copyItem(at: screenshot, to: URL(fileURLWithPath: keep))
            }
            let done = try await stack.harness.finished(flow)
            #expect(done.state == .success)
            #expect(done.result?["resume"] == ["note": "refund A-17", "channel": "bank transfer", "amount": 7.25, "urgent": true])
            #expect(done.result?["approvers"] == ["alice"])
        }
    }
}

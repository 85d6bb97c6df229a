import Foundation
import SluiceCore
import Testing

@testable import SluiceExecution

@Suite("A job's channel: requests and who may talk")
struct ChannelTests {
    @Test(
        "requests are read by op, with their fields checked",
        arguments: [
            (["op": "get_variable", "path": "f/a/b"] as JSONValue, ChannelRequest.getVariable(path: "f/a/b")),
            (["op": "get_resource", "path": "u/me/db"] as JSONValue, .getResource(path: "u/me/db")),
            (["op": "get_state"] as JSONValue, .getState),
            (["op": "set_state", "value": ["n": 1]], .setState(["n": 1])),
            (["op": "get_resume_urls", "approver": nil] as JSONValue, .resumeURLs(approver: nil)),
            (["op": "get_resume_urls", "approver": "alice"] as JSONValue, .resumeURLs(approver: "alice")),
            (
                ["op": "run", "path": "f/a/b", "args": ["x": 1]] as JSONValue,
                .run(CallTarget(runnable: .scriptPath("f/a/b"), arguments: ["x": 1]))
            ),
            (
                ["op": "run", "kind": "flow", "path": "f/a/f", "args": nil, "queue": "fast", "scheduled_in_secs": 5] as JSONValue,
                .run(CallTarget(runnable: .flow("f/a/f"), arguments: [:], queue: "fast", delaySeconds: 5))
            ),
            (
                ["op": "run", "path": nil, "hash": .string(String(repeating: "ab", count: 32))] as JSONValue,
                .run(CallTarget(runnable: .scriptHash(String(repeating: "ab", count: 32)), arguments: [:]))
            ),
            (
                ["op": "wait", "id": "01M95FJ7HN9ATM2G96VXXYXB96", "timeout": 2.5] as JSONValue,
                .wait(JobID("01M95FJ7HN9ATM2G96VXXYXB96")!, timeout: 2.5)
            ),
            (["op": "cancel_job", "id": "01M95FJ7HN9ATM2G96VXXYXB96"] as JSONValue, .cancelJob(JobID("01M95FJ7HN9ATM2G96VXXYXB96")!, reason: nil)),
            (
                ["op": "set_variable", "path": "f/a/t", "value": "v", "is_secret": true] as JSONValue,
                .setVariable(path: "f/a/t", value: "v", secret: true, description: nil)
            ),
            (
                ["op": "set_resource", "path": "f/a/r", "value": ["n": 1], "type": "c"] as JSONValue,
                .setResource(path: "f/a/r", value: ["n": 1], type: "c")
            ),
        ] as [(JSONValue, ChannelRequest)])
    func requests(message: JSONValue, request: ChannelRequest) throws {
        #expect(try ChannelRequest.parse(message).get() == request)
    }

    @Test(
        "bad requests are answered, naming what is wrong",
        arguments: [
            (["path": "f/a/b"] as JSONValue, "names no op"), (["op": "get_variable"] as JSONValue, "needs a path"),
            (["op": "get_variable", "path": "../etc"] as JSONValue, "not a valid path"),
            (["op": "drop_tables"] as JSONValue, "unknown op 'drop_tables'"), (["op": "get_resume_urls", "approver": 3] as JSONValue, "approver"),
            (["op": "run"] as JSONValue, "needs the path"), (["op": "run", "path": "f/a/b", "args": [1]] as JSONValue, "args must be an object"),
            (["op": "run", "path": "f/a/b", "hash": "ab"] as JSONValue, "not both"),
            (["op": "run", "hash": "xyz"] as JSONValue, "not a script version"),
            (["op": "run", "kind": "flow", "hash": "ab"] as JSONValue, "needs the path"),
            (["op": "run", "kind": "job", "path": "f/a/b"] as JSONValue, "kind"),
            (["op": "run", "path": "f/a/b", "queue": "@w1"] as JSONValue, "queue"),
            (["op": "run", "path": "f/a/b", "scheduled_in_secs": -1] as JSONValue, "scheduled_in_secs"),
            (["op": "wait"] as JSONValue, "needs the id"), (["op": "wait", "id": "nope"] as JSONValue, "not a job id"),
            (["op": "wait", "id": "01M95FJ7HN9ATM2G96VXXYXB96", "timeout": 0] as JSONValue, "timeout"),
            (["op": "set_variable", "path": "f/a/t", "value": 3] as JSONValue, "a string"),
            (["op": "set_variable", "path": "f/a/t", "value": "v", "is_secret": "yes"] as JSONValue, "is_secret"),
            (["op": "set_resource", "path": "f/a/r"] as JSONValue, "needs a value"),
        ] as [(JSONValue, String)])
    func refusals(message: JSONValue, fragment: String) {
        guard case .failure(.failure(let kind, let text)) = ChannelRequest.parse(message) else {
            Issue.record("expected a refusal of \(message.jsonText)")
            return
        }
        #expect(kind == "invalid")
        #expect(text.contains(fragment), "\(text)")
    }

    @Test("answers are one JSON line; a refused read is a permission failure")
    func answers() throws {
        #expect(String(decoding: ChannelResponse.value("x").line, as: UTF8.self) == "{\"ok\":true,\"value\":\"x\"}\n")
        #expect(
            ChannelResponse.failed("permission denied: variable 'f/a/b' may be read only by …")
                == .failure(kind: "permission", message: "permission denied: variable 'f/a/b' may be read only by …"))
        #expect(ChannelResponse.failed("variable 'f/a/b' does not exist") == .failure(kind: "not_found", message: "variable 'f/a/b' does not exist"))
    }

    @Test(
        "a process is admitted when its ancestry reaches the job's process: by host pid, or by pid in the namespace of the very fork server it was forked from"
    )
    func ancestry() {
        // host 500 → 400 (the job, pid 7 in the server's namespace) → 300 (the fork server, pid 2) → 200 (bwrap, started at 1000).
        // Another fork server: 900 (started at 2000) → 800 (pid 7 in its own namespace) → 700.
        let table: [Int32: ProcessAncestry.Status] = [
            500: .init(parent: 400, namespacePIDs: [500, 9]), 400: .init(parent: 300, namespacePIDs: [400, 7]),
            300: .init(parent: 200, namespacePIDs: [300, 2]), 200: .init(parent: 1, namespacePIDs: [200], started: 1000),
            600: .init(parent: 300, namespacePIDs: [600, 8]),
            900: .init(parent: 1, namespacePIDs: [900], started: 2000), 800: .init(parent: 900, namespacePIDs: [800, 7]),
            700: .init(parent: 800, namespacePIDs: [700, 12]),
        ]
        let status: (Int32) -> ProcessAncestry.Status? = { table[$0] }
        let job = ProcessAncestry.JobProcess.forked(7, server: 200, serverStarted: 1000, level: 1)
        #expect(ProcessAncestry.descends(500, from: job, status: status))
        #expect(ProcessAncestry.descends(400, from: job, status: status))
        #expect(!ProcessAncestry.descends(600, from: job, status: status))
        // The same inner pid under another fork server is not the job.
        #expect(!ProcessAncestry.descends(800, from: job, status: status))
        #expect(!ProcessAncestry.descends(700, from: job, status: status))
        // A server pid reused by a later process is not the server.
        #expect(!ProcessAncestry.descends(500, from: .forked(7, server: 200, serverStarted: 999, level: 1), status: status))
        // A slot sandbox's job: 1200 (pid 2 of its own namespace, 15 in the sandbox's) → 1100 (its init:
        // 14 in the sandbox's namespace, 1 in its own) → 1000 (the launcher, the sandbox's pid 1) → 950
        // (bwrap, started at 3000).
        // 1300 is another job's process with the same pid in its own namespace, under the same launcher.
        let slot: [Int32: ProcessAncestry.Status] = [
            1200: .init(parent: 1100, namespacePIDs: [1200, 15, 2]), 1100: .init(parent: 1000, namespacePIDs: [1100, 14, 1]),
            1000: .init(parent: 950, namespacePIDs: [1000, 1]), 950: .init(parent: 1, namespacePIDs: [950], started: 3000),
            1310: .init(parent: 1000, namespacePIDs: [1310, 20, 1]), 1300: .init(parent: 1310, namespacePIDs: [1300, 21, 2]),
        ]
        let slotJob = ProcessAncestry.JobProcess.forked(14, server: 950, serverStarted: 3000, level: 1)
        #expect(ProcessAncestry.descends(1200, from: slotJob, status: { slot[$0] }))
        #expect(!ProcessAncestry.descends(1300, from: slotJob, status: { slot[$0] }))
        // Matched at the server's level only: pid 14 deeper down is not the job.
        #expect(!ProcessAncestry.descends(1200, from: .forked(2, server: 950, serverStarted: 3000, level: 1), status: { slot[$0] }))
        #expect(ProcessAncestry.descends(500, from: .host(200), status: status))
        #expect(!ProcessAncestry.descends(500, from: .host(600), status: status))
        #expect(
            ProcessAncestry.parse("Name:\tpython3\nPPid:\t300\nNSpid:\t400\t7\n") == ProcessAncestry.Status(parent: 300, namespacePIDs: [400, 7]))
        #expect(ProcessAncestry.parseStartTime("42 (my (odd) name) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 0 0") == 123456)
        #expect(ProcessAncestry.startTime(of: getpid()) != nil)
    }
}

@Suite("Which jobs get a channel")
struct ChannelNeedTests {
    @Test("a script that names a helper (wmill, sluice, windmill-client, SLUICE_CHANNEL) gets one; one that names none does not")
    func decidedFromTheText() {
        #expect(ChannelNeed.scriptMayUseChannel("import wmill\ndef main(): return wmill.get_variable('f/x')"))
        #expect(ChannelNeed.scriptMayUseChannel("from sluice import get_state"))
        #expect(ChannelNeed.scriptMayUseChannel("import * as wmill from 'npm:windmill-client@1'"))
        #expect(ChannelNeed.scriptMayUseChannel("key=$(sluice-var f/x/key)"))
        #expect(ChannelNeed.scriptMayUseChannel("echo $SLUICE_CHANNEL"))
        #expect(!ChannelNeed.scriptMayUseChannel("def main(x):\n    return x + 1\n"))
        #expect(!ChannelNeed.scriptMayUseChannel("x=\"$1\"\necho \"$x\"\n"))
    }
}

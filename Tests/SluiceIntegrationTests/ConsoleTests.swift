import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

@testable import SluiceConsole

/// The web console over real HTTP, against a private redis-server and a real worker.
@Suite("Console pages and actions", .serialized)
struct ConsoleTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("the overview shows each queue's counts and the open gates from real runs, with the security headers")
    func overviewShowsQueues() async throws {
        try await ConsoleStack.with(server: server) { stack in
            var ids: [JobID] = []
            for index in 0..<3 { ids.append(try stack.identityJob(["n": .number(Double(index))])) }
            let failing = try stack.harness.run(.bash, "echo broken >&2\nexit 3\n")
            for id in ids { #expect(try await stack.harness.finished(id).state == .success) }
            #expect(try await stack.harness.finished(failing).state == .failure)
            let page = try await stack.get("/")
            #expect(page.status == 200)
            #expect(page.body.contains(#"<tr data-queue="default">"#))
            #expect(page.body.contains(#"<td class="succeeded">3</td>"#))
            #expect(page.body.contains(#"<td class="failed">1</td>"#))
            #expect(page.body.contains(#"<svg class="chart""#))
            #expect(page.body.contains(#"<rect class="ok""#))
            #expect(page.body.contains(#"<tr data-worker="test-worker">"#))
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            #expect(page.headers["x-frame-options"] == "DENY")
            #expect(page.headers["cache-control"] == "no-store")
        }
    }

    @Test("unknown or malformed job ids answer a 404 page; a malformed filter answers 400 naming the field")
    func badInputIsRefused() async throws {
        try await ConsoleStack.with(server: server, worker: false) { stack in
            let unknown = try await stack.get("/jobs/\(JobID.generate().rawValue)")
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("Not found"))
            #expect(unknown.headers["x-content-type-options"] == "nosniff")
            #expect(try await stack.get("/jobs/not-an-id").status == 404)
            #expect(try await stack.get("/nowhere").status == 404)
            let state = try await stack.get("/jobs?state=sleeping")
            #expect(state.status == 400)
            #expect(state.body.contains("Field state must be one of"))
            let since = try await stack.get("/jobs?since=yesterday")
            #expect(since.status == 400)
            #expect(since.body.contains("Field since"))
            let page = try await stack.get("/jobs?page=0")
            #expect(page.status == 400)
            #expect(page.body.contains("Field page"))
        }
    }

    @Test("the jobs list filters by state, path and who started it, pages 50 at a time, newest first")
    func jobsListFiltersAndPages() async throws {
        try await ConsoleStack.with(server: server) { stack in
            var ids: [JobID] = []
            for index in 0..<55 { ids.append(try stack.identityJob(["n": .number(Double(index))], createdBy: index < 5 ? "ana" : nil)) }
            let failing = try stack.harness.run(.bash, "exit 1\n")
            for id in ids { _ = try await stack.harness.finished(id) }
            _ = try await stack.harness.finished(failing)
            // Newest first (ids sort by creation), 50 to a page.
            let expected = ids.sorted(by: >).map(\.rawValue)
            let first = try await stack.get("/jobs?state=success")
            #expect(first.status == 200)
            #expect(Self.listed(first.body) == Array(expected.prefix(50)))
            #expect(first.body.contains("older →"))
            let second = try await stack.get("/jobs?state=success&page=2")
            #expect(Self.listed(second.body) == Array(expected.dropFirst(50)))
            #expect(!second.body.contains("older →"))
            // Unfiltered, a page reads the finished runs only as far as it shows: both pages still complete.
            let everything = (ids + [failing]).map(\.rawValue).sorted(by: >)
            #expect(Self.listed(try await stack.get("/jobs").body) == Array(everything.prefix(50)))
            #expect(Self.listed(try await stack.get("/jobs?page=2").body) == Array(everything.dropFirst(50)))
            #expect(Self.listed(try await stack.get("/jobs?state=failure").body) == [failing.rawValue])
            #expect(Self.listed(try await stack.get("/jobs?created_by=ana").body) == ids.prefix(5).sorted(by: >).map(\.rawValue))
            #expect(Self.listed(try await stack.get("/jobs?path=f/test/").body) == [failing.rawValue])
            #expect(Self.listed(try await stack.get("/jobs?queue=elsewhere").body).isEmpty)
        }
    }

    @Test("finished runs (not steps) join P:runs:finished by creation time; the list reads them past the per-queue cap, within since/until")
    func finishedRunsIndex() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let connection = try stack.harness.server.connect()
            var ids: [JobID] = []
            for index in 0..<12 { ids.append(try stack.identityJob(["n": .number(Double(index))])) }
            let flow = try stack.harness.startFlow(
                "value:\n  modules:\n    - id: a\n      value: {type: identity}\n    - id: b\n      value: {type: identity}\n")
            for id in ids + [flow] { _ = try await stack.harness.finished(id) }
            let entries = (try connection.send("ZRANGE", .string(stack.keys.runsFinished), "0", "-1", "WITHSCORES").array ?? []).compactMap(\.string)
            let members = stride(from: 0, to: entries.count, by: 2).map { entries[$0] }
            #expect(Set(members) == Set((ids + [flow]).map(\.rawValue)))
            for id in ids.prefix(3) {
                let created = try #require(try stack.harness.store.job(id, on: connection)?.createdAt)
                #expect(try connection.send("ZSCORE", .string(stack.keys.runsFinished), .string(id.rawValue)).string == String(created))
            }
            // The per-queue index is emptied (as its cap would): the list still finds every run.
            _ = try connection.send("DEL", .string(stack.keys.finished("default")))
            #expect(Set(Self.listed(try await stack.get("/jobs?state=success").body)) == Set((ids + [flow]).map(\.rawValue)))
            // since/until read the creation-time window.
            let middle = try #require(try stack.harness.store.job(ids[6], on: connection)?.createdAt)
            let since = ConsoleTime.inputValue(middle + 60_000)
            #expect(Self.listed(try await stack.get("/jobs?state=success&since=\(since)").body).isEmpty)
            let until = ConsoleTime.inputValue(middle + 60_000)
            #expect(Self.listed(try await stack.get("/jobs?state=success&until=\(until)").body).count == 13)
            // Deleting a run takes it out.
            let confirmation = try await stack.get("/jobs/\(ids[0].rawValue)/delete")
            let token = try #require(ConsoleStack.csrfToken(in: confirmation.body))
            #expect(try await stack.request("POST", "/jobs/\(ids[0].rawValue)/delete", form: [("csrf", token)]).status == 303)
            #expect(try connection.send("ZSCORE", .string(stack.keys.runsFinished), .string(ids[0].rawValue)).isNull)
        }
    }

    /// Where the bounded-window test's runs start (Redis clock ms); they are 10 s apart.
    static let boundStart: Int64 = 1_700_000_000_000

    @Test("a window with more finished runs than the list looks at says so, and a narrower window does not")
    func boundedWindowIsSaid() async throws {
        try await ConsoleStack.with(server: server, worker: false) { stack in
            let connection = try stack.harness.server.connect()
            #expect(!(try await stack.get("/jobs?state=success").body.contains(#"id="bounded""#)))
            // More entries than the bound (ids without hashes: they list nothing, but are looked at).
            let count = JobListing.finishedScanLimit + 1
            for start in stride(from: 0, to: count, by: 5000) {
                var command: [RedisArgument] = ["ZADD", .string(stack.keys.runsFinished)]
                for index in start..<min(count, start + 5000) {
                    command += [
                        .string(String(Self.boundStart + Int64(index) * 10_000)),
                        .string(JobID(milliseconds: UInt64(1_700_000_000_000 + index)).rawValue),
                    ]
                }
                try connection.send(command)
            }
            // A filter no index answers exactly (successes: read from all finished runs) looks at the bound.
            let wide = try await stack.get("/jobs?state=success")
            #expect(wide.status == 200)
            #expect(wide.body.contains(#"id="bounded""#))
            #expect(wide.body.contains("Only the newest 20,000 finished runs"))
            let narrow = try await stack.get(
                "/jobs?state=success&since=\(ConsoleTime.inputValue(Self.boundStart + Int64(count) * 10_000 - 3 * 3_600_000))")
            #expect(!narrow.body.contains(#"id="bounded""#))
        }
    }

    @Test(
        "a rare filter reads its own index: failures, one path (or a folder's), one person's runs are found behind more newer runs than the list looks at; deleting a run takes it out of each"
    )
    func filterIndexes() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let connection = try stack.harness.server.connect()
            let failing = try stack.harness.run(.bash, "exit 1\n")
            let ana = try stack.identityJob(["n": 1], createdBy: "ana")
            _ = try await stack.harness.finished(failing)
            _ = try await stack.harness.finished(ana)
            let path = try #require(try stack.harness.store.job(failing, on: connection)?.path)
            #expect(try connection.send("ZSCORE", .string(stack.keys.runsFinished(state: .failure)), .string(failing.rawValue)).string != nil)
            #expect(try connection.send("ZSCORE", .string(stack.keys.runsFinished(path: path)), .string(failing.rawValue)).string != nil)
            #expect(try connection.send("ZSCORE", .string(stack.keys.runsFinished(createdBy: "ana")), .string(ana.rawValue)).string != nil)
            // Successes, most finished runs, have no index of their own.
            #expect(try connection.send("EXISTS", .string(stack.keys.runsFinished(state: .success))).integer == 0)
            // A path's and a person's index go a retention period after their last run.
            #expect((try connection.send("TTL", .string(stack.keys.runsFinished(path: path))).integer ?? -1) > 0)
            // More newer finished runs than the list looks at, none of them a failure, of that path or ana's.
            let now = try #require(try stack.harness.store.job(ana, on: connection)?.createdAt)
            let count = JobListing.finishedScanLimit + 1
            for start in stride(from: 0, to: count, by: 5000) {
                var command: [RedisArgument] = ["ZADD", .string(stack.keys.runsFinished)]
                for index in start..<min(count, start + 5000) {
                    command += [
                        .string(String(now + 1000 + Int64(index))), .string(JobID(milliseconds: UInt64(now + 1000) + UInt64(index)).rawValue),
                    ]
                }
                try connection.send(command)
            }
            let byQueue = try await stack.get("/jobs?queue=default")
            #expect(byQueue.body.contains(#"id="bounded""#))
            #expect(!Self.listed(byQueue.body).contains(failing.rawValue))
            // Unfiltered, every finished run passes: a page reads only as far as it shows, and says no bound.
            let unfiltered = try await stack.get("/jobs")
            #expect(unfiltered.status == 200)
            #expect(!unfiltered.body.contains(#"id="bounded""#))
            for query in ["state=failure", "path=\(path)", "path=f/test/", "path=f/test/&state=failure"] {
                let page = try await stack.get("/jobs?" + query)
                #expect(Self.listed(page.body) == [failing.rawValue], "\(query)")
                #expect(!page.body.contains(#"id="bounded""#), "\(query)")
            }
            #expect(Self.listed(try await stack.get("/jobs?created_by=ana").body) == [ana.rawValue])
            #expect(Self.listed(try await stack.get("/jobs?path=f/test/&state=success").body).isEmpty)
            // Deleting the failed run takes it out of the state, path and finished-runs indexes.
            let confirmation = try await stack.get("/jobs/\(failing.rawValue)/delete")
            let token = try #require(ConsoleStack.csrfToken(in: confirmation.body))
            #expect(try await stack.request("POST", "/jobs/\(failing.rawValue)/delete", form: [("csrf", token)]).status == 303)
            for index in [stack.keys.runsFinished, stack.keys.runsFinished(state: .failure), stack.keys.runsFinished(path: path)] {
                #expect(try connection.send("ZSCORE", .string(index), .string(failing.rawValue)).isNull, "\(index)")
            }
        }
    }

    /// The job ids a jobs list page shows, in order.
    static func listed(_ page: String) -> [String] {
        page.components(separatedBy: "<tr data-job=\"").dropFirst().map { String($0.prefix(26)) }
    }

    @Test("a job's page shows its arguments, result, logs, deliveries and worker")
    func jobPage() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let id = try stack.harness.run(.bash, "name=\"$1\"\necho \"hello <b>$name</b>\"\necho '{\"greeted\": 1}'\n", arguments: ["name": "ada"])
            #expect(try await stack.harness.finished(id).state == .success)
            let page = try await stack.get("/jobs/\(id.rawValue)")
            #expect(page.status == 200)
            #expect(page.body.contains(#"data-state="success""#))
            #expect(page.body.contains("&quot;name&quot; : &quot;ada&quot;") || page.body.contains("&quot;name&quot;: &quot;ada&quot;"))
            #expect(page.body.contains("&quot;greeted&quot;"))
            // Logs are escaped: what a script prints never becomes markup.
            #expect(page.body.contains("hello &lt;b&gt;ada&lt;/b&gt;"))
            #expect(page.body.contains("test-worker"))
            #expect(page.body.contains("1 of at most 3"))
        }
    }

    @Test("a state change without the right CSRF token, or from another origin, is refused and changes nothing; with it, cancel works and is audited")
    func csrfIsRequired() async throws {
        try await ConsoleStack.with(server: server, worker: false) { stack in
            let later = try stack.harness.server.connect().serverMilliseconds() + 3_600_000
            let id = try stack.identityJob(["x": 1], runAt: later)
            let path = "/jobs/\(id.rawValue)/cancel"
            let missing = try await stack.request("POST", path, form: [("confirm", "1")])
            #expect(missing.status == 403)
            let wrong = try await stack.request("POST", path, form: [("csrf", String(repeating: "0", count: 64))])
            #expect(wrong.status == 403)
            let confirmation = try await stack.get(path)
            #expect(confirmation.status == 200)
            let token = try #require(ConsoleStack.csrfToken(in: confirmation.body))
            let crossSite = try await stack.request("POST", path, form: [("csrf", token)], headers: ["Origin": "http://evil.example"])
            #expect(crossSite.status == 403)
            let fetchedCrossSite = try await stack.request("POST", path, form: [("csrf", token)], headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(fetchedCrossSite.status == 403)
            let connection = try stack.harness.server.connect()
            #expect(try stack.harness.store.job(id, on: connection)?.state == .scheduled)
            #expect(try AuditLog(keys: stack.keys).entries(on: connection).isEmpty)
            let done = try await stack.request("POST", path, form: [("csrf", token)], headers: ["Origin": stack.baseURL])
            #expect(done.status == 303)
            #expect(done.headers["location"] == "/jobs/\(id.rawValue)")
            #expect(try stack.harness.store.job(id, on: connection)?.state == .canceled)
            let entries = try AuditLog(keys: stack.keys).entries(on: connection)
            #expect(entries.count == 1)
            #expect(entries.first?.who == ConsoleStack.operatorName)
            #expect(entries.first?.action == "cancel")
            #expect(entries.first?.target == id.rawValue)
            #expect(entries.first?.outcome == "canceled (was scheduled)")
            let audit = try await stack.get("/audit")
            #expect(audit.body.contains(id.rawValue))
            #expect(audit.body.contains(ConsoleStack.operatorName))
        }
    }

    @Test("run again starts a new job with the same arguments, started by the operator; a step cannot be run alone")
    func runAgain() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let id = try stack.harness.run(.bash, "x=\"$1\"\necho \"{\\\"twice\\\": $((x * 2))}\"\n", arguments: ["x": 21])
            #expect(try await stack.harness.finished(id).result == ["twice": 42])
            let confirmation = try await stack.get("/jobs/\(id.rawValue)/run-again")
            let token = try #require(ConsoleStack.csrfToken(in: confirmation.body))
            let started = try await stack.request("POST", "/jobs/\(id.rawValue)/run-again", form: [("csrf", token)])
            #expect(started.status == 303)
            let location = try #require(started.headers["location"])
            let newID = try #require(JobID(String(location.dropFirst("/jobs/".count))))
            #expect(newID != id)
            let again = try await stack.harness.finished(newID)
            #expect(again.state == .success)
            #expect(again.arguments == ["x": 21])
            #expect(again.result == ["twice": 42])
            #expect(again.createdBy == ConsoleStack.operatorName)
            let entries = try AuditLog(keys: stack.keys).entries(on: stack.harness.server.connect())
            #expect(entries.first?.outcome == "started \(newID.rawValue)")
        }
    }

    @Test("delete removes a finished job, its logs and its finished-index entry, audited; an unfinished job is refused and kept")
    func deleteJob() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let id = try stack.harness.run(.bash, "echo gone\n")
            _ = try await stack.harness.finished(id)
            let connection = try stack.harness.server.connect()
            #expect(try connection.send("EXISTS", .string(stack.keys.jobLogs(id))).integer == 1)
            let confirmation = try await stack.get("/jobs/\(id.rawValue)/delete")
            #expect(confirmation.body.contains("Delete this job?"))
            let token = try #require(ConsoleStack.csrfToken(in: confirmation.body))
            #expect(try await stack.request("POST", "/jobs/\(id.rawValue)/delete", form: [("confirm", "1")]).status == 403)
            #expect(try stack.harness.store.job(id, on: connection) != nil)
            let deleted = try await stack.request("POST", "/jobs/\(id.rawValue)/delete", form: [("csrf", token)])
            #expect(deleted.status == 303)
            #expect(deleted.headers["location"] == "/jobs")
            #expect(try stack.harness.store.job(id, on: connection) == nil)
            #expect(try connection.send("EXISTS", .string(stack.keys.jobLogs(id))).integer == 0)
            #expect(try connection.send("ZSCORE", .string(stack.keys.finished("default")), .string(id.rawValue)).isNull)
            #expect(try await stack.get("/jobs/\(id.rawValue)").status == 404)
            let later = try connection.serverMilliseconds() + 3_600_000
            let waiting = try stack.identityJob(runAt: later)
            let refused = try await stack.request("POST", "/jobs/\(waiting.rawValue)/delete", form: [("csrf", token)])
            #expect(refused.status == 409)
            #expect(refused.body.contains("cancel it first"))
            #expect(try stack.harness.store.job(waiting, on: connection)?.state == .scheduled)
            let audit = try AuditLog(keys: stack.keys).entries(on: connection)
            #expect(audit.map(\.outcome) == ["refused: the job has not finished (scheduled): cancel it first", "deleted (was success)"])
        }
    }

    @Test("a job's live stream sends its fragment and ends once the job has finished")
    func liveJobStreamEnds() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let id = try stack.identityJob(["y": 2])
            _ = try await stack.harness.finished(id)
            let stream = try await stack.get("/live/jobs/\(id.rawValue)")
            #expect(stream.status == 200)
            #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            #expect(stream.body.contains("event: fragment\ndata: "))
            #expect(stream.body.contains(#"data-state="success""#))
            #expect(stream.body.hasSuffix("event: end\ndata: \n\n"))
        }
    }

    @Test("a job's live stream carries logs with CRLF and bare CR line ends whole, and nothing in them can end or rename its event")
    func liveStreamLineEnds() async throws {
        try await ConsoleStack.with(server: server) { stack in
            let id = try stack.harness.run(.bash, "printf 'one\\r\\ntwo\\rthree\\revent: end\\rdata: forged\\n'\necho done\n")
            _ = try await stack.harness.finished(id)
            let stream = try await stack.get("/live/jobs/\(id.rawValue)")
            #expect(stream.status == 200)
            // Parsed as a browser does (the event-stream format: a line ends at CR, LF or CRLF).
            var events: [(name: String, data: [String])] = []
            var name = "message"
            var data: [String] = []
            let lines = stream.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            for line in lines.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty {
                    if !data.isEmpty { events.append((name, data)) }
                    (name, data) = ("message", [])
                } else if line.hasPrefix("event: ") {
                    name = String(line.dropFirst(7))
                } else if line.hasPrefix("data: ") || line == "data:" {
                    data.append(String(line.dropFirst(min(6, line.count))))
                }
            }
            #expect(events.map(\.name) == ["fragment", "end"], "\(events.map(\.name))")
            let fragment = events.first?.data ?? []
            for part in ["one", "two", "three", "event: end", "data: forged"] {
                #expect(fragment.contains { $0.contains(part) }, "\(part) is not in the fragment")
            }
        }
    }

    @Test(
        "listen addresses: HOST:PORT parsed, loopback told apart",
        arguments: [
            ("127.0.0.1:8080", true, true), ("localhost:0", true, true), ("[::1]:9000", true, true), ("0.0.0.0:8080", true, false),
            ("10.1.2.3:80", true, false), ("example.com:80", true, false), ("127.0.0.1", false, false), ("127.0.0.1:99999", false, false),
            (":8080", false, false),
        ])
    func listenAddresses(text: String, valid: Bool, loopback: Bool) {
        let address = ListenAddress(text)
        #expect((address != nil) == valid)
        #expect((address?.isLoopback ?? false) == loopback)
    }
}

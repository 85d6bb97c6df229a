import Foundation
import SluiceCore
import SluiceExecution
import SluiceFlows
import SluiceWorker
import Testing

/// The worker's JavaScript engine (a warm Deno with no permissions, in the job sandbox) against
/// the same corpus as the subset, and against what no expression may do.
@Suite("The JavaScript engine for expressions beyond the subset", .serialized)
struct ExpressionEngineTests {
    static let runner = ScriptRunner(settings: ScriptRunnerSettings())

    func engine() async throws -> any ExpressionEngine {
        try await Self.runner.prepare()
        return try #require(Self.runner.expressionEngine, "deno is needed (make deps installs it into .venv-tools)")
    }

    static let corpus: JSONValue = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/javascript-parity.json")
        return (try? String(contentsOf: file, encoding: .utf8)).flatMap { try? JSONValue(parsing: $0) } ?? .null
    }()

    @Test("the whole expression corpus gives through the engine what it gives through the subset (and Node.js)")
    func parity() async throws {
        let engine = try await engine()
        var variables: [String: JSONValue?] = [:]
        for (key, value) in Self.corpus["variables"]?.memberList ?? [] { variables[key] = value }
        let cases = Self.corpus["cases"]?.arrayValue ?? []
        #expect(cases.count > 100)
        for entry in cases {
            let source = try #require(entry["source"]?.stringValue)
            let expected = try #require(entry["expected"]?.stringValue)
            let subset = try JavaScriptSubsetEvaluator().evaluate(source, variables: variables)
            let value = try engine.evaluate(source, variables: variables, references: [:], steps: [])
            // Windmill's wrapping turns `undefined` into null.
            #expect(value.jsonText == (expected == "undefined" ? "null" : expected), "\(source)")
            #expect(value == (subset ?? .null), "\(source): the subset gives \(subset?.jsonText ?? "undefined")")
        }
    }

    @Test("statements, block-bodied IIFEs, awaited values, references and step(i)")
    func beyondTheSubset() async throws {
        let engine = try await engine()
        let scope: [String: JSONValue?] = ["flow_input": ["x": [1, 2, 3]], "results": ["a": 5, "b": 7], "resume": nil]
        func value(_ code: String) throws -> JSONValue {
            try engine.evaluate(
                code, variables: scope, references: [Reference(.variable, "f/x/key"): .value("k")], steps: ["a", "b"])
        }
        #expect(try value("(() => { const a = flow_input.x; return a ?? []; })()") == [1, 2, 3])
        #expect(try value("const n = flow_input.x.length;\nreturn n * 2") == 6)
        #expect(try value("Promise.resolve(41).then(v => v + 1)") == 42)
        #expect(try value("`Bearer ${variable('f/x/key')}`") == "Bearer k")
        #expect(try value("step(1) - step(0)") == 2)
        #expect(try value("resume") == .null)
        #expect(try value("new Date(0).toISOString()") == "1970-01-01T00:00:00.000Z")
    }

    @Test("an expression can read no file, no environment, no network, start nothing; the engine keeps going")
    func noPermissions() async throws {
        let engine = try await engine()
        for code in [
            "Deno.readTextFileSync('/etc/hostname')", "Deno.env.get('PATH')", "await fetch('http://127.0.0.1:9')",
            "new Deno.Command('/bin/true').outputSync()", "await import('node:fs').then(fs => fs.readFileSync('/etc/hostname', 'utf8'))",
        ] {
            #expect(throws: (any Error).self, "\(code)") { try engine.evaluate(code, variables: [:], references: [:], steps: []) }
        }
        #expect(try engine.evaluate("1 + 1", variables: [:], references: [:], steps: []) == 2)
    }

    @Test("no evaluation changes what the next one sees: built-ins are frozen, added globals removed")
    func isolation() async throws {
        let engine = try await engine()
        #expect(throws: (any Error).self) { try engine.evaluate("Array.prototype.map = () => 'owned'", variables: [:], references: [:], steps: []) }
        _ = try engine.evaluate("globalThis.planted = 'x'; return 1", variables: [:], references: [:], steps: [])
        #expect(try engine.evaluate("typeof planted", variables: [:], references: [:], steps: []) == "undefined")
        #expect(try engine.evaluate("[1].map(x => x + 1)", variables: [:], references: [:], steps: []) == [2])
    }

    @Test("the engine outlives the thread that started it: a worker's pool threads come and go")
    func outlivesItsStartingThread() async throws {
        // A runner of its own, so this engine is started here, on a thread that then ends.
        let runner = ScriptRunner(settings: ScriptRunnerSettings())
        try await runner.prepare()
        defer { runner.shutDown() }
        let engine = try #require(runner.expressionEngine, "deno is needed (make deps installs it into .venv-tools)")
        let first = try await Self.onThreadThatEnds { try engine.evaluate("20 + 1", variables: [:], references: [:], steps: []) }
        #expect(first == 21)
        // The thread has ended; give a signal sent at its end the time to arrive.
        try await Task.sleep(for: .milliseconds(500))
        #expect(try engine.evaluate("2 * 21", variables: [:], references: [:], steps: []) == 42)
    }

    @Test("an engine killed between two expressions is replaced before the next: it is answered, not failed")
    func killedBetweenExpressions() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-engine-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runner = ScriptRunner(settings: ScriptRunnerSettings(scratchRoot: root))
        try await runner.prepare()
        defer { runner.shutDown() }
        let engine = try #require(runner.expressionEngine, "deno is needed (make deps installs it into .venv-tools)")
        #expect(try engine.evaluate("20 + 1", variables: [:], references: [:], steps: []) == 21)
        // Its processes (the sandbox and deno) are the ones whose command line names this root.
        let killed = try await runProcess("/usr/bin/pkill", ["-KILL", "-f", root + "/"])
        #expect(killed.status == 0, "no engine process found under \(root)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try engine.evaluate("2 * 21", variables: [:], references: [:], steps: []) == 42)
    }

    @Test("a runner's shutDown ends its expression engine with its warm runners")
    func shutDownEndsEngine() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-engine-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runner = ScriptRunner(settings: ScriptRunnerSettings(scratchRoot: root))
        try await runner.prepare()
        let engine = try #require(runner.expressionEngine, "deno is needed (make deps installs it into .venv-tools)")
        #expect(try engine.evaluate("[1, 2].map(x => x * 2)", variables: [:], references: [:], steps: []) == [2, 4])
        #expect(!HostInspection.processes(containing: root + "/").isEmpty, "no engine process names \(root)")
        runner.shutDown()
        #expect(await HostInspection.waitUntilGone(root + "/").isEmpty, "the engine outlived its runner's shutDown")
    }

    /// Runs `work` on a thread of its own, which ends once `work` returns; waits for both.
    static func onThreadThatEnds<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.start()
        }
        // The thread ends right after resuming: wait until it has.
        try await Task.sleep(for: .milliseconds(100))
        return value
    }

    @Test("an endless or memory-hungry expression is stopped with a clear error, and the engine starts again for the next")
    func limits() async throws {
        let engine = try await engine()
        let started = ContinuousClock.now
        do {
            _ = try engine.evaluate("while (true) {}", variables: [:], references: [:], steps: [])
            Issue.record("an endless loop returned")
        } catch {
            #expect("\(error)".contains("ran longer than"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(15))
        do {
            _ = try engine.evaluate("const a = []; while (true) a.push(new Array(1e6).fill(1)); return 1", variables: [:], references: [:], steps: [])
            Issue.record("a memory blow-up returned")
        } catch {
            #expect("\(error)".contains("ended") || "\(error)".contains("ran longer than"), "\(error)")
        }
        #expect(try engine.evaluate("2 * 21", variables: [:], references: [:], steps: []) == 42)
    }
}

import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceFlows
import Testing

/// Reading workspace folders as `wmill sync` writes them: path patterns, wmill.yaml, which file is
/// what — no Redis needed.
@Suite("Workspace folders")
struct WorkspaceFolderTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/workspace")
        .standardizedFileURL

    @Test("wmill.yaml patterns: ** spans folders, * stays in one, ? is one character, {a,b} either")
    func patterns() {
        #expect(PathPattern("f/**").matches("f/ops/deploy.py"))
        #expect(PathPattern("f/**").matches("f/x.py"))
        #expect(!PathPattern("f/**").matches("u/admin/x.py"))
        #expect(PathPattern("**/*.tmp").matches("f/a/b/c.tmp"))
        #expect(PathPattern("**/*.tmp").matches("c.tmp"))
        #expect(!PathPattern("f/*.py").matches("f/ops/x.py"))
        #expect(PathPattern("f/ops/?.py").matches("f/ops/a.py"))
        #expect(!PathPattern("f/ops/?.py").matches("f/ops/ab.py"))
        #expect(PathPattern("{f,u}/**").matches("u/admin/x.py"))
        #expect(PathPattern("f/{a,b{c,d}}/x").matches("f/bd/x"))
        #expect(!PathPattern("f/{a,b{c,d}}/x").matches("f/b/x"))
        #expect(PathPattern("u/admin/hook.resource.yaml").matches("u/admin/hook.resource.yaml"))
        #expect(PathPattern("f/external/**").matches("f/external/x/y.py"))
    }

    @Test("wmill.yaml: includes, excludes and extraIncludes choose paths; absent keys keep wmill's defaults")
    func settings() throws {
        let defaults = WorkspaceSettings()
        #expect(defaults.includes("f/a/b.py"))
        #expect(!defaults.includes("u/admin/b.py"))
        #expect(defaults.skipSecrets && !defaults.includeSchedules && defaults.defaultTypeScript == "bun")
        let settings = try WorkspaceSettings(
            yaml: """
                defaultTs: deno
                includes: [f/**, u/**]
                excludes: ["f/external/**"]
                extraIncludes: ["**/keep*"]
                includeSchedules: true
                nonDottedPaths: true
                gitBranches: {main: {baseUrl: https://windmill.example}}
                """)
        #expect(settings.includes("u/admin/keep_me.py"))
        #expect(!settings.includes("u/admin/other.py"), "not in extraIncludes")
        #expect(!settings.includes("f/external/keep.py"), "excluded")
        #expect(settings.includeSchedules && settings.nonDottedPaths && settings.defaultTypeScript == "deno")
        #expect(throws: FlowFormatError.self) { try WorkspaceSettings(yaml: "includes: f/**") }
    }

    @Test("the example workspace: scripts with metadata, a flow folder, a schedule, a resource, variables; the rest left with reasons")
    func exampleFolder() throws {
        let (contents, settings) = try WorkspaceFolder.read(Self.example)
        #expect(contents.problems.isEmpty, "\(contents.problems)")
        #expect(settings.includeSchedules)
        #expect(contents.scripts.map(\.path.rawValue).sorted() == ["f/team/greet", "f/team/word_count"])
        #expect(contents.scripts.first { $0.path.rawValue == "f/team/greet" }?.language == .python3)
        #expect(contents.scripts.first { $0.path.rawValue == "f/team/greet" }?.summary == "Greets someone")
        #expect(contents.flows.map(\.path.rawValue) == ["f/team/release"])
        #expect(contents.schedules.map(\.name) == ["f/team/weekly_release"])
        #expect(contents.resources.map(\.type) == ["c_chat_webhook"])
        #expect(contents.variables.map(\.path.rawValue).sorted() == ["f/team/channel", "f/team/chat_token"])
        #expect(contents.variables.first { $0.isSecret }?.value == nil, "a secret's value is not in the folder")
        let left = Dictionary(uniqueKeysWithValues: contents.left.map { ($0.file, $0.reason) })
        #expect(left["f/team/helpers.py"]?.contains("no f/team/helpers.script.yaml") == true)
        #expect(left["f/team/folder.meta.yaml"] != nil)
        #expect(left["f/team/release_hook.http_trigger.yaml"]?.contains("triggers") == true)
    }

    @Test("TypeScript runtimes by extension and defaultTs; languages with no runtime left, naming the language; a bad file is a problem")
    func languages() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = [
            "f/a/plain.ts": "export async function main(x: string) { return x }",
            "f/a/plain.script.yaml": "summary: plain",
            "f/a/old.deno.ts": "export async function main() {}",
            "f/a/old.script.yaml": "summary: old\ntag: gpu\nconcurrent_limit: 2\ncache_ttl: 0",
            "f/a/query.pg.sql": "select 1",
            "f/a/query.script.yaml": "summary: q",
            "f/a/broken.sh": "echo",
            "f/a/broken.script.yaml": "summary: [unclosed",
            "f/a/legacy.flow.json": #"{"summary": "old", "value": {"modules": []}}"#,
            "f/a/skipped.schedule.yaml": "schedule: '0 0 * * * *'\nscript_path: f/a/plain",
            "u/admin/outside.py": "def main(): pass",
            "u/admin/outside.script.yaml": "summary: not included by default",
        ]
        for (name, text) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let (contents, _) = try WorkspaceFolder.read(root)
        #expect(contents.scripts.map(\.path.rawValue).sorted() == ["f/a/old", "f/a/plain"])
        #expect(contents.scripts.allSatisfy { $0.language == .deno })
        #expect(contents.flows.map(\.path.rawValue) == ["f/a/legacy"])
        #expect(contents.left.contains { $0.file == "f/a/query.pg.sql" && $0.reason.contains("postgresql scripts cannot run here") })
        #expect(contents.left.contains { $0.file == "f/a/skipped.schedule.yaml" && $0.reason.contains("includeSchedules") })
        #expect(!contents.left.contains { $0.file.hasPrefix("u/") }, "u/ is outside wmill's default includes")
        #expect(contents.problems.count == 1 && contents.problems[0].hasPrefix("f/a/broken.script.yaml"), "\(contents.problems)")
        #expect(contents.warnings.contains { $0.contains("old.script.yaml: tag") })
        #expect(contents.warnings.contains { $0.contains("concurrent_limit") })
        #expect(!contents.warnings.contains { $0.contains("cache_ttl") }, "a field at its default says nothing")
    }

    @Test("YAML written for a pull reads back to the same value: quoted look-alikes, !inline strings, multi-line text, numbers")
    func yamlRoundTrip() throws {
        let value: JSONValue = [
            "content": "!inline a.inline_script.py", "looks_like_bool": "true", "looks_like_number": "12", "empty": "",
            "multi": "line one\nline two\n", "trailing": "a  \nb", "number": 3, "fraction": 2.5, "big": 123_456_789_012,
            "null": .null, "list": [1, "two", ["three": false]], "colon": "a: b", "hash": "# not a comment", "unicode": "Grüße",
        ]
        let text = try YAMLDocument.text(value)
        #expect(try YAMLDocument.parse(text) == value, "\(text)")
    }
}

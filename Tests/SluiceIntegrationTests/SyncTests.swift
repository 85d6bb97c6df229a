import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore
import SluiceTesting
import Testing

/// `sluice sync push` and `sluice sync pull` as users run them, against a real Redis: the example
/// workspace imported in dependency order, idempotent, checked whole before anything is written,
/// written back in the same layout, and its flow run by a worker.
@Suite("Workspaces: sluice sync", .serialized, .tags(.processes))
struct SyncTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/workspace")
        .standardizedFileURL

    func environment(_ keys: KeySpace) -> [String: String] {
        ["SLUICE_REDIS_URL": server.url, "SLUICE_PREFIX": keys.prefix]
    }

    /// The kind, path and action of each report line (`left` lines included).
    static func lines(_ output: String) -> [String: String] {
        var found: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 3 else { continue }
            found["\(columns[0]) \(columns[1])"] = columns[2...].joined(separator: " ")
        }
        return found
    }

    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString)")
    }

    @Test("push imports scripts, a flow, a schedule, a resource and variables; a second push changes nothing; --dry-run writes nothing")
    func pushTwice() async throws {
        let keys = KeySpace.unique()
        let connection = try server.connect()
        let dry = try await runCommand("sluice", ["sync", "push", Self.example.path, "--dry-run"], environment: environment(keys))
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(Self.lines(dry.stdout)["flow f/team/release"] == "would be created")
        #expect(try connection.send(["KEYS", .string("\(keys.prefix)*")]).array?.isEmpty == true, "a dry run writes nothing")

        let first = try await runCommand("sluice", ["sync", "push", Self.example.path], environment: environment(keys))
        #expect(first.status == 0, "\(first.stderr)")
        let report = Self.lines(first.stdout)
        for item in [
            "script f/team/greet", "script f/team/word_count", "flow f/team/release", "schedule f/team/weekly_release",
            "resource f/team/chat", "variable f/team/channel",
        ] {
            #expect(report[item] == "created", "\(item): \(first.stdout)")
        }
        #expect(report["secret f/team/chat_token"]?.hasPrefix("to set") == true)
        #expect(report["left f/team/helpers.py"] != nil)
        #expect(first.stdout.contains("6 created, 0 updated, 0 unchanged, 1 to set"))
        // Dependency order: the scripts the flow calls come before it, the flow before the schedule that runs it.
        let order = first.stdout.split(separator: "\n").map { String($0.split(separator: " ").prefix(2).joined(separator: " ")) }
        let position = { (item: String) in order.firstIndex(of: item) ?? -1 }
        #expect(position("variable f/team/channel") < position("resource f/team/chat"))
        #expect(position("script f/team/greet") < position("flow f/team/release"))
        #expect(position("flow f/team/release") < position("schedule f/team/weekly_release"))

        let scripts = ScriptStore(keys: keys)
        let greet = try #require(try scripts.script(at: "f/team/greet", on: connection))
        #expect(greet.language == .python3 && greet.summary == "Greets someone")
        let schedule = try #require(try ScheduleStore(keys: keys).schedule("f/team/weekly_release", on: connection))
        #expect(schedule.definition.path == "f/team/release" && schedule.definition.timeZone == "Europe/Berlin")
        #expect(schedule.definition.noOverlap && schedule.definition.arguments == ["team": "platform", "version": "weekly"])
        #expect(schedule.nextDue != nil)
        let resource = try #require(try ResourceStore(keys: keys).resource(at: "f/team/chat", on: connection))
        #expect(resource.value["token"] == "$var:f/team/chat_token")
        #expect(try VariableStore(keys: keys).variable(at: "f/team/channel", on: connection)?.storedValue == "#releases")
        let versions = try ScheduleStore(keys: keys).schedule("f/team/weekly_release", on: connection)?.version

        let second = try await runCommand("sluice", ["sync", "push", Self.example.path], environment: environment(keys))
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("0 created, 0 updated, 6 unchanged"), "\(second.stdout)")
        #expect(
            try ScheduleStore(keys: keys).schedule("f/team/weekly_release", on: connection)?.version == versions, "the schedule was not set again")
        #expect(try scripts.versions(of: "f/team/greet", on: connection).count == 1)
    }

    @Test("one bad file anywhere in the folder: nothing is written, and every problem is named")
    func badFileChangesNothing() async throws {
        let keys = KeySpace.unique()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Self.example, to: folder)
        try "schedule: 'not a cron'\nscript_path: f/team/greet\n".write(
            to: folder.appendingPathComponent("f/team/broken.schedule.yaml"), atomically: true, encoding: .utf8)
        try "schedule: '0 0 * * * *'\nscript_path: f/team/nowhere\n".write(
            to: folder.appendingPathComponent("f/team/orphan.schedule.yaml"), atomically: true, encoding: .utf8)
        let pushed = try await runCommand("sluice", ["sync", "push", folder.path], environment: environment(keys))
        #expect(pushed.status != 0)
        #expect(pushed.stderr.contains("nothing pushed"), "\(pushed.stderr)")
        #expect(pushed.stderr.contains("f/team/broken.schedule.yaml"))
        #expect(pushed.stderr.contains("no script or flow at 'f/team/nowhere'"), "\(pushed.stderr)")
        let connection = try server.connect()
        #expect(try connection.send(["KEYS", .string("\(keys.prefix)*")]).array?.isEmpty == true)
    }

    @Test("pull writes the same layout back: pushing it changes nothing, pulling again rewrites nothing, and another store gets the same versions")
    func roundTrip() async throws {
        let keys = KeySpace.unique()
        let pushed = try await runCommand("sluice", ["sync", "push", Self.example.path], environment: environment(keys))
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pulled = try await runCommand("sluice", ["sync", "pull", folder.path], environment: environment(keys))
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(pulled.stdout.contains("6 items, 6 written"), "\(pulled.stdout)")
        for file in [
            "wmill.yaml", "f/team/greet.py", "f/team/greet.script.yaml", "f/team/word_count.sh", "f/team/release.flow/flow.yaml",
            "f/team/release.flow/write_notes.inline_script.ts", "f/team/weekly_release.schedule.yaml", "f/team/chat.resource.yaml",
            "f/team/channel.variable.yaml",
        ] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
        }
        let flowFile = try String(contentsOf: folder.appendingPathComponent("f/team/release.flow/flow.yaml"), encoding: .utf8)
        #expect(flowFile.contains("content: '!inline write_notes.inline_script.ts'"), "\(flowFile)")

        let again = try await runCommand("sluice", ["sync", "push", folder.path, "--dry-run"], environment: environment(keys))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 created, 0 updated, 6 unchanged"), "\(again.stdout)")
        let repull = try await runCommand("sluice", ["sync", "pull", folder.path], environment: environment(keys))
        #expect(repull.stdout.contains("6 items, 0 written, 6 unchanged"), "\(repull.stdout)")

        let other = KeySpace.unique("other")
        let copied = try await runCommand("sluice", ["sync", "push", folder.path], environment: environment(other))
        #expect(copied.status == 0, "\(copied.stderr)")
        let connection = try server.connect()
        for path in ["f/team/greet", "f/team/word_count"] {
            #expect(
                try ScriptStore(keys: keys).script(at: path, on: connection)?.hash == ScriptStore(keys: other).script(at: path, on: connection)?.hash)
        }
        #expect(
            try FlowStore(keys: keys).flow(at: "f/team/release", on: connection)?.hash
                == FlowStore(keys: other).flow(at: "f/team/release", on: connection)?.hash)
        let schedules = try ScheduleStore(keys: keys).schedule("f/team/weekly_release", on: connection)?.definition
        #expect(schedules == (try ScheduleStore(keys: other).schedule("f/team/weekly_release", on: connection)?.definition))
    }

    @Test("the pushed flow runs on a worker: a workspace script, a bash script, an inline TypeScript step")
    func pushedFlowRuns() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let pushed = try await runCommand("sluice", ["sync", "push", Self.example.path], environment: environment(harness.store.keys))
        #expect(pushed.status == 0, "\(pushed.stderr)")
        try await harness.withWorker { _ in
            let run = try await runCommand(
                "sluice", ["run", "f/team/release", "-a", "version=v2", "--wait"], environment: environment(harness.store.keys))
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("Release v2: Welcome, platform! (2 words)"), "\(run.stdout)")
        }
    }

    @Test("plain secrets (wmill.yaml plainSecrets) are sealed with the public key; a secret already set is kept, not replaced")
    func plainSecrets() async throws {
        let keys = KeySpace.unique()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("f/s"), withIntermediateDirectories: true)
        try "plainSecrets: true\n".write(to: folder.appendingPathComponent("wmill.yaml"), atomically: true, encoding: .utf8)
        try "value: hunter2\nis_secret: true\ndescription: a password\n".write(
            to: folder.appendingPathComponent("f/s/password.variable.yaml"), atomically: true, encoding: .utf8)
        let keyFolder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: keyFolder) }
        try FileManager.default.createDirectory(at: keyFolder, withIntermediateDirectories: true)
        let generated = try await runCommand("sluice", ["secrets", "keygen", "--out", keyFolder.path], environment: environment(keys))
        #expect(generated.status == 0, "\(generated.stderr)")
        let withoutKey = try await runCommand("sluice", ["sync", "push", folder.path], environment: environment(keys))
        #expect(Self.lines(withoutKey.stdout)["secret f/s/password"]?.contains("no secrets public key") == true, "\(withoutKey.stdout)")
        let sealed = try await runCommand(
            "sluice", ["sync", "push", folder.path, "--public-key", keyFolder.appendingPathComponent("secrets.pub").path],
            environment: environment(keys))
        #expect(Self.lines(sealed.stdout)["secret f/s/password"] == "created", "\(sealed.stdout) \(sealed.stderr)")
        let stored = try #require(try VariableStore(keys: keys).variable(at: "f/s/password", on: try server.connect()))
        #expect(stored.isSecret && !stored.storedValue.contains("hunter2"))
        let again = try await runCommand(
            "sluice", ["sync", "push", folder.path, "--public-key", keyFolder.appendingPathComponent("secrets.pub").path],
            environment: environment(keys))
        #expect(Self.lines(again.stdout)["secret f/s/password"]?.hasPrefix("kept") == true, "\(again.stdout)")
    }

    @Test("a flow calling a hub/ script pushes with a warning, and fails at that step saying to bring the script into the workspace")
    func hubScript() async throws {
        let harness = WorkerHarness(server: server, keys: KeySpace.unique())
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let flow = folder.appendingPathComponent("f/h/notify.flow/flow.yaml")
        try FileManager.default.createDirectory(at: flow.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
        summary: calls the Hub
        value:
          modules:
            - id: send
              value: {type: script, path: hub/2434/slack/send_message_to_channel, input_transforms: {}}
        """.write(to: flow, atomically: true, encoding: .utf8)
        let pushed = try await runCommand("sluice", ["sync", "push", folder.path], environment: environment(harness.store.keys))
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stderr.contains("hub/2434/slack/send_message_to_channel is a Windmill Hub script"), "\(pushed.stderr)")
        try await harness.withWorker { _ in
            let run = try await runCommand("sluice", ["run", "f/h/notify", "--wait"], environment: environment(harness.store.keys))
            #expect(run.status != 0)
            #expect(run.stderr.contains("bring it into the workspace"), "\(run.stderr)")
        }
    }
}

public import Foundation
import SluiceCore
import SluiceFlows
public import SluiceRedis
public import SluiceStore

/// `sluice sync pull`: writes what the store holds into a folder laid out as `wmill sync pull`
/// lays it out, so that `sluice sync push` of that folder changes nothing (and `wmill` can read
/// it): `path.py|ts|sh` with `path.script.yaml`, `path.flow/flow.yaml` with its inline scripts
/// in `name.inline_script.ext` files beside it, `path.schedule.yaml`, `path.resource.yaml`,
/// `path.variable.yaml` (a secret without its value), and a `wmill.yaml` when the folder has none.
///
/// A file is written only when its text changes; files the store knows nothing about are left
/// alone (stale inline script files of a flow it writes are removed).
public struct WorkspaceExport {
    public let keys: KeySpace

    public init(keys: KeySpace) {
        self.keys = keys
    }

    /// Writes the store's items under `root` (created if missing) and reports each one.
    public func write(to root: URL, on connection: RedisConnection) throws -> [WorkspaceImport.Entry] {
        let settingsFile = root.appendingPathComponent("wmill.yaml")
        var settings = WorkspaceSettings()
        let hadSettings = FileManager.default.fileExists(atPath: settingsFile.path)
        if hadSettings {
            do {
                settings = try WorkspaceSettings(yaml: try String(contentsOf: settingsFile, encoding: .utf8))
            } catch {
                throw CommandFailure("wmill.yaml: \(error)")
            }
        }
        var items: [(kind: String, path: String, files: [String: String], folder: String?)] = []
        let scripts = ScriptStore(keys: keys)
        for script in try scripts.list(on: connection) {
            guard let (content, _) = try scripts.version(hash: script.hash, on: connection) else { continue }
            let metadata = JSONValue(members: [("summary", .string(script.summary)), ("description", ""), ("kind", "script")])
            items.append(
                (
                    "script", script.path,
                    [
                        "\(script.path).\(WorkspaceLayout.fileExtension(script.language))": content,
                        "\(script.path).script.yaml": try YAMLDocument.text(metadata),
                    ], nil
                ))
        }
        let flows = FlowStore(keys: keys)
        var flowPaths = Set<String>()
        for flow in try flows.list(on: connection) {
            flowPaths.insert(flow.path)
            guard let text = try flows.document(hash: flow.hash, on: connection), let document = try? JSONValue(parsing: text) else { continue }
            let folder = WorkspaceLayout.flowFolder(flow.path, nonDotted: settings.nonDottedPaths)
            var files: [String: String] = [:]
            var taken = Set<String>()
            let written = FlowInlineFiles.extract(document, taken: &taken) { name, content in files["\(folder)/\(name)"] = content }
            files["\(folder)/flow.yaml"] = try YAMLDocument.text(written)
            items.append(("flow", flow.path, files, folder))
        }
        let schedules = ScheduleStore(keys: keys)
        for schedule in try schedules.list(on: connection) {
            let definition = schedule.definition
            let document = WindmillSchedule.document(
                definition, isFlow: flowPaths.contains(definition.path), onFailureIsFlow: definition.onFailure.map(flowPaths.contains) ?? false)
            items.append(("schedule", definition.name, ["\(definition.name).schedule.yaml": try YAMLDocument.text(document)], nil))
        }
        for resource in try ResourceStore(keys: keys).list(on: connection) {
            let document = JSONValue(members: [
                ("value", resource.value), ("description", .string(resource.description)), ("resource_type", .string(resource.type)),
            ])
            items.append(("resource", resource.path, ["\(resource.path).resource.yaml": try YAMLDocument.text(document)], nil))
        }
        for variable in try VariableStore(keys: keys).list(on: connection) {
            // A secret's value never leaves the store: the file says it is a secret, and a push lists it as to be set.
            var members: [(String, JSONValue)] = []
            if !variable.isSecret { members.append(("value", .string(variable.storedValue))) }
            members += [("is_secret", .bool(variable.isSecret)), ("description", .string(variable.description))]
            items.append(
                (
                    variable.isSecret ? "secret" : "variable", variable.path,
                    ["\(variable.path).variable.yaml": try YAMLDocument.text(JSONValue(members: members))], nil
                ))
        }
        if hadSettings {
            items = items.filter { item in item.files.keys.contains { settings.includes($0) } }
        }

        var entries: [WorkspaceImport.Entry] = []
        for item in items {
            var action = WorkspaceImport.Action.unchanged
            if let folder = item.folder {
                try removeStaleInlineFiles(in: root.appendingPathComponent(folder), keeping: Set(item.files.keys), root: root)
            }
            for (file, text) in item.files.sorted(by: { $0.key < $1.key }) {
                switch try Self.write(text, to: root.appendingPathComponent(file)) {
                case .create where action == .unchanged: action = .create
                case .update where action == .unchanged: action = .update
                default: break
                }
            }
            entries.append(WorkspaceImport.Entry(kind: item.kind, path: item.path, action: action))
        }
        if !hadSettings {
            var written = WorkspaceSettings()
            let files = items.flatMap { Array($0.files.keys) }
            let prefixes = Set(files.filter { $0.contains("/") }.compactMap { file in file.split(separator: "/").first.map(String.init) })
            // Schedules named without a folder sit at the top: named one by one.
            written.includes =
                (prefixes.isEmpty ? ["f"] : prefixes.sorted()).map { PathPattern("\($0)/**") }
                + files.filter { !$0.contains("/") }.sorted().map { PathPattern($0) }
            written.includeSchedules = items.contains { $0.kind == "schedule" }
            written.defaultTypeScript = "deno"
            _ = try Self.write(try YAMLDocument.text(written.yaml), to: settingsFile)
        }
        return entries
    }

    private func removeStaleInlineFiles(in folder: URL, keeping: Set<String>, root: URL) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let relative = String(folder.path.dropFirst(root.path.count + 1))
        for name in names where name.contains(".inline_script.") && !keeping.contains("\(relative)/\(name)") {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Writes `text` to `file` unless it already holds exactly that; creates its folders.
    static func write(_ text: String, to file: URL) throws -> WorkspaceImport.Action {
        let existing = try? String(contentsOf: file, encoding: .utf8)
        if existing == text { return .unchanged }
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file, options: .atomic)
        } catch {
            throw CommandFailure("cannot write '\(file.path)': \(error.localizedDescription)")
        }
        return existing == nil ? .create : .update
    }
}

/// Moving a flow's inline scripts out of its document into files, as `wmill sync pull` does.
enum FlowInlineFiles {
    /// `document` with each inline script's `content` replaced by `'!inline name'`, `write` given
    /// each file's name and text. Failure and preprocessor modules stay inline, as in Windmill.
    static func extract(_ document: JSONValue, taken: inout Set<String>, write: (String, String) -> Void) -> JSONValue {
        guard let value = document["value"], let modules = value["modules"]?.arrayValue else { return document }
        let extracted = modules.map { module in self.module(module, taken: &taken, write: write) }
        return document.setting("value", to: value.setting("modules", to: .array(extracted)))
    }

    private static func module(_ module: JSONValue, taken: inout Set<String>, write: (String, String) -> Void) -> JSONValue {
        guard var value = module["value"], let type = value["type"]?.stringValue else { return module }
        func modules(_ list: JSONValue?, taken: inout Set<String>) -> JSONValue? {
            list?.arrayValue.map { .array($0.map { self.module($0, taken: &taken, write: write) }) }
        }
        switch type {
        case "rawscript":
            guard let content = value["content"]?.stringValue, YAMLDocument.inlineReference(content) == nil,
                let language = value["language"]?.stringValue.flatMap(ScriptLanguage.init(windmillName:))
            else { return module }
            let name = WorkspaceLayout.inlineScriptName(
                summary: module["summary"]?.stringValue, id: module["id"]?.stringValue ?? "inline_script", language: language, taken: &taken)
            write(name, content)
            value = value.setting("content", to: .string("!inline \(name)"))
        case "forloopflow", "whileloopflow":
            if let inner = modules(value["modules"], taken: &taken) { value = value.setting("modules", to: inner) }
        case "branchone", "branchall":
            if let inner = modules(value["default"], taken: &taken) { value = value.setting("default", to: inner) }
            if let branches = value["branches"]?.arrayValue {
                var rewritten: [JSONValue] = []
                for branch in branches {
                    rewritten.append(modules(branch["modules"], taken: &taken).map { branch.setting("modules", to: $0) } ?? branch)
                }
                value = value.setting("branches", to: .array(rewritten))
            }
        default: return module
        }
        return module.setting("value", to: value)
    }
}

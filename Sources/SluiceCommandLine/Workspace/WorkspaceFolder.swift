public import Foundation
import SluiceCore
import SluiceFlows

/// Reads a workspace folder as `wmill sync pull` writes it: scripts with their metadata, flow
/// folders and legacy flow files, schedules, resources and variables — the paths `wmill.yaml`
/// includes, as `wmill` would choose them. Nothing here touches Redis.
public enum WorkspaceFolder {
    /// Metadata fields of a script that Sluice does not honour, with what it does instead.
    static let unhonouredScriptFields: [String: String] = [
        "tag": "Sluice has queues, not worker tags: the script runs on the queue its job is sent to",
        "timeout": "a script's own timeout is not kept: give the flow module a timeout, or the worker's --job-timeout applies",
        "envs": "environment variables for a script are not kept: use variables ($var:) instead",
        "cache_ttl": "results are not cached: every run runs",
        "dedicated_worker": "ignored: every worker keeps warm processes for the scripts it runs",
        "priority": "ignored: jobs run in queue order",
        "concurrent_limit": "concurrency limits per script are not honoured",
        "concurrency_key": "concurrency limits per script are not honoured",
        "concurrency_time_window_s": "concurrency limits per script are not honoured",
        "debounce_key": "debouncing is not honoured",
        "debounce_delay_s": "debouncing is not honoured",
        "delete_after_use": "ignored: a job's arguments and result live until its record expires",
        "restart_unless_cancelled": "ignored: a finished run is not restarted",
        "codebase": "codebase scripts (a bundled folder) are not supported: the file is pushed as it is",
        "no_main_func": "a script without a main function is not supported: the file is pushed as it is",
        "visible_to_runner_only": "ignored",
        "on_behalf_of_email": "ignored: runs are started by whoever starts them",
    ]

    /// Everything the folder at `root` holds, read with its `wmill.yaml` (defaults when it has none).
    public static func read(_ root: URL) throws -> (WorkspaceContents, WorkspaceSettings) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure("'\(root.path)' is not a folder")
        }
        var settings = WorkspaceSettings()
        let settingsFile = root.appendingPathComponent("wmill.yaml")
        if FileManager.default.fileExists(atPath: settingsFile.path) {
            do {
                settings = try WorkspaceSettings(yaml: try String(contentsOf: settingsFile, encoding: .utf8))
            } catch {
                throw CommandFailure("wmill.yaml: \(error)")
            }
        }
        var contents = WorkspaceContents()
        var files: [String] = []
        var flowFolders: [String] = []
        collect(root, relative: "", files: &files, flowFolders: &flowFolders)
        let present = Set(files)
        for folder in flowFolders.sorted() {
            readFlowFolder(folder, root: root, settings: settings, into: &contents)
        }
        for file in files.sorted() {
            read(file, root: root, present: present, settings: settings, into: &contents)
        }
        return (contents, settings)
    }

    /// Every file under `folder`, relative to the root; `name.flow/` folders are listed as flows, not walked.
    private static func collect(_ folder: URL, relative: String, files: inout [String], flowFolders: inout [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where !name.hasPrefix(".") && name != "node_modules" {
            let url = folder.appendingPathComponent(name)
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if WorkspaceLayout.flowPath(folder: path) != nil {
                    flowFolders.append(path)
                } else if name.hasSuffix(".app") || name.hasSuffix("__app") || name.hasSuffix(".raw_app") || name.hasSuffix("__raw_app") {
                    files.append(path)
                } else {
                    collect(url, relative: path, files: &files, flowFolders: &flowFolders)
                }
            } else {
                files.append(path)
            }
        }
    }

    private static func readFlowFolder(_ folder: String, root: URL, settings: WorkspaceSettings, into contents: inout WorkspaceContents) {
        guard let path = WorkspaceLayout.flowPath(folder: folder), settings.includes(folder + "/flow.yaml") || settings.includes(folder) else {
            return
        }
        guard !settings.skipFlows else { return contents.left.append((folder, "skipFlows is on in wmill.yaml")) }
        readFlow(path: path, file: folder, root: root, into: &contents)
    }

    private static func readFlow(path: String, file: String, root: URL, into contents: inout WorkspaceContents) {
        guard let flowPath = ScriptPath(path) else {
            return contents.problems.append("\(file): '\(path)' is not a valid path (segments of letters, digits, _ - .)")
        }
        do {
            let (text, folder) = try FlowFiles.read(root.appendingPathComponent(file).path)
            var subflows = Set<String>()
            if let definition = try? FlowParser(loadInline: FlowFiles.inlineLoader(folder: folder)).parse(text).definition {
                for module in definition.allModules {
                    if case .flow(let called, _) = module.value { subflows.insert(called) }
                }
            }
            contents.flows.append(WorkspaceFlow(path: flowPath, file: file, text: text, folder: folder, subflows: subflows))
        } catch {
            contents.problems.append("\(file): \(error)")
        }
    }

    private static func read(_ file: String, root: URL, present: Set<String>, settings: WorkspaceSettings, into contents: inout WorkspaceContents) {
        guard file != "wmill.yaml", file != "wmill-lock.yaml", settings.includes(file) else { return }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        if let base = WorkspaceLayout.item(file, "schedule") {
            guard settings.includeSchedules else { return contents.left.append((file, "includeSchedules is not on in wmill.yaml")) }
            guard let document = document(file, root: root, into: &contents) else { return }
            contents.schedules.append(WorkspaceSchedule(name: base, file: file, document: document))
        } else if let base = WorkspaceLayout.item(file, "resource") {
            guard !settings.skipResources else { return contents.left.append((file, "skipResources is on in wmill.yaml")) }
            readResource(base, file: file, root: root, into: &contents)
        } else if let base = WorkspaceLayout.item(file, "variable") {
            guard !settings.skipVariables else { return contents.left.append((file, "skipVariables is on in wmill.yaml")) }
            readVariable(base, file: file, root: root, settings: settings, into: &contents)
        } else if let base = WorkspaceLayout.item(file, "flow") {
            guard !settings.skipFlows else { return contents.left.append((file, "skipFlows is on in wmill.yaml")) }
            readFlow(path: base, file: file, root: root, into: &contents)
        } else if WorkspaceLayout.item(file, "script") != nil || file.hasSuffix(".script.lock") || file.hasSuffix(".lock") {
            return  // read with its code file
        } else if WorkspaceLayout.item(file, "resource-type") != nil || WorkspaceLayout.item(file, "resource_type") != nil {
            contents.left.append((file, "resource types are not kept: Sluice does not check a resource against its type's schema"))
        } else if name == "folder.meta.yaml" || (name.hasPrefix("folder.") && name.hasSuffix(".meta.yaml")) {
            contents.left.append((file, "folders are not kept: give variables and resources --allow rules for a folder instead"))
        } else if name.contains("_trigger.") {
            contents.left.append((file, "triggers are not imported by sync: Sluice starts flows from schedules, sluice run and the CLI"))
        } else if name.hasSuffix(".app") || name.hasSuffix("__app") || name.hasSuffix(".raw_app") || name.hasSuffix("__raw_app") {
            contents.left.append((file, "apps are not supported"))
        } else if let (base, language) = WorkspaceLayout.script(file: file, defaultTypeScript: settings.defaultTypeScript) {
            let metadata = ["yaml", "yml", "json"].map { "\(base).script.\($0)" }.first(where: present.contains)
            guard let metadata else {
                // A helper module (imported by scripts), or code awaiting `wmill script generate-metadata`.
                return contents.left.append((file, "no \(base).script.yaml beside it: not a script (wmill script generate-metadata writes one)"))
            }
            guard !settings.skipScripts else { return contents.left.append((file, "skipScripts is on in wmill.yaml")) }
            readScript(base, file: file, metadata: metadata, language: language, root: root, into: &contents)
        }
    }

    private static func readScript(
        _ base: String, file: String, metadata: String, language name: String, root: URL, into contents: inout WorkspaceContents
    ) {
        guard let path = ScriptPath(base) else {
            return contents.problems.append("\(file): '\(base)' is not a valid path (segments of letters, digits, _ - .)")
        }
        guard let language = ScriptLanguage(windmillName: name) else {
            return contents.left.append((file, "\(name) scripts cannot run here (no runtime): flows that call \(base) fail at that step"))
        }
        guard let fields = document(metadata, root: root, into: &contents) else { return }
        guard let content = text(file, root: root, into: &contents) else { return }
        if language == .deno {
            do {
                _ = try TypeScriptSignature.parameterNames(in: content)
            } catch {
                return contents.problems.append("\(file): \(error)")
            }
        }
        for (key, value) in fields.memberList ?? [] {
            guard let reason = unhonouredScriptFields[key], isSet(value) else { continue }
            contents.warnings.append("\(metadata): \(key) — \(reason)")
        }
        // Windmill's lock of a TypeScript script — the metadata's `lock:` (text, or '!inline FILE'),
        // else NAME.script.lock beside it: the versions it pinned are kept when Sluice locks it.
        var windmillLock: String?
        if language == .deno {
            let declared = fields["lock"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            let named = declared.flatMap(YAMLDocument.inlineReference) ?? (declared == nil ? base + ".script.lock" : nil)
            if let named {
                let candidates = [named, (file as NSString).deletingLastPathComponent + "/" + named]
                if let found = candidates.first(where: { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }) {
                    windmillLock = text(found, root: root, into: &contents)
                }
            } else {
                windmillLock = declared
            }
        }
        contents.scripts.append(
            WorkspaceScript(
                path: path, file: file, language: language, content: content, summary: fields["summary"]?.stringValue ?? "",
                windmillLock: windmillLock))
    }

    private static func readResource(_ base: String, file: String, root: URL, into contents: inout WorkspaceContents) {
        guard let path = ScriptPath(base) else {
            return contents.problems.append("\(file): '\(base)' is not a valid path (segments of letters, digits, _ - .)")
        }
        guard let fields = document(file, root: root, into: &contents) else { return }
        guard let type = fields["resource_type"]?.stringValue, !type.isEmpty else {
            return contents.problems.append("\(file): no resource_type")
        }
        var value = fields["value"] ?? .null
        // A file resource keeps its content beside it: value.content is '!inline <file>'.
        if let content = value["content"]?.stringValue, let name = YAMLDocument.inlineReference(content) {
            let candidates = [(file as NSString).deletingLastPathComponent + "/" + name, name]
            guard let text = candidates.lazy.compactMap({ try? String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }).first else {
                return contents.problems.append("\(file): no readable file '\(name)' for value.content")
            }
            value = value.setting("content", to: .string(text))
        } else if let fileset = value.stringValue, fileset.hasPrefix("!inline_fileset ") {
            return contents.left.append((file, "fileset resources are not supported"))
        }
        contents.resources.append(
            WorkspaceResource(path: path, file: file, type: type, value: value, description: fields["description"]?.stringValue ?? ""))
    }

    private static func readVariable(_ base: String, file: String, root: URL, settings: WorkspaceSettings, into contents: inout WorkspaceContents) {
        guard let path = ScriptPath(base) else {
            return contents.problems.append("\(file): '\(base)' is not a valid path (segments of letters, digits, _ - .)")
        }
        guard let fields = document(file, root: root, into: &contents) else { return }
        let isSecret = fields["is_secret"]?.boolValue ?? false
        var value = fields["value"]?.stringValue
        if fields["is_oauth"]?.boolValue == true {
            contents.warnings.append("\(file): is_oauth — OAuth tokens are not refreshed here: the value is kept as it is")
        }
        // Without plainSecrets, a secret's value in the folder is Windmill's workspace ciphertext: useless here.
        if isSecret, !settings.plainSecrets { value = nil }
        if !isSecret, value == nil, let other = fields["value"], !other.isNull { value = other.jsonText }
        contents.variables.append(
            WorkspaceVariable(path: path, file: file, isSecret: isSecret, value: value, description: fields["description"]?.stringValue ?? ""))
    }

    /// Whether a metadata field says something (not its default: absent, null, false, 0, empty).
    private static func isSet(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .number(let number): number != 0
        case .string(let string): !string.isEmpty
        case .array(let elements): !elements.isEmpty
        case .object: !(value.memberList ?? []).isEmpty
        }
    }

    private static func text(_ file: String, root: URL, into contents: inout WorkspaceContents) -> String? {
        do {
            return try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        } catch {
            contents.problems.append("\(file): cannot read (\(error.localizedDescription))")
            return nil
        }
    }

    private static func document(_ file: String, root: URL, into contents: inout WorkspaceContents) -> JSONValue? {
        guard let text = text(file, root: root, into: &contents) else { return nil }
        do {
            let document = try YAMLDocument.parse(text)
            guard document.objectValue != nil else {
                contents.problems.append("\(file): expected a mapping")
                return nil
            }
            return document
        } catch {
            contents.problems.append("\(file): \(error)")
            return nil
        }
    }
}

public import Foundation
public import SluiceFlows

/// Finding a flow's text: a file, or a folder with flow.yaml / flow.json (as `wmill sync pull`
/// writes them), or a folder holding one legacy single-file flow; and reading the files its
/// `!inline` references name.
public enum FlowFiles {
    /// The flow's text and the folder its `!inline` files are relative to.
    public static func read(_ path: String) throws -> (text: String, folder: URL) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure("cannot read '\(path)': no such file")
        }
        var file = URL(fileURLWithPath: path)
        if isDirectory.boolValue {
            let candidates = ["flow.yaml", "flow.yml", "flow.json"].map { file.appendingPathComponent($0) }
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
                file = found
            } else {
                // A folder holding one legacy single-file flow (`name.flow.json`, as Windmill wrote them in 2022–23).
                let legacy = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { name in
                    [".flow.json", ".flow.yaml", ".flow.yml"].contains { name.hasSuffix($0) }
                }
                guard legacy.count == 1, let name = legacy.first else {
                    throw CommandFailure(
                        "'\(path)' holds no flow.yaml or flow.json" + (legacy.count > 1 ? ", and several *.flow.json files: name one" : ""))
                }
                file = file.appendingPathComponent(name)
            }
        }
        do {
            return (try String(contentsOf: file, encoding: .utf8), file.deletingLastPathComponent())
        } catch {
            throw CommandFailure("cannot read '\(file.path)': \(error.localizedDescription)")
        }
    }

    /// Reads `!inline` files relative to `folder`, refusing any outside it.
    public static func inlineLoader(folder: URL) -> FlowParser.InlineLoader {
        { name in
            let url = URL(fileURLWithPath: name, relativeTo: folder).standardizedFileURL
            let root = folder.standardizedFileURL.path
            guard url.path.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                throw CommandFailure("'\(name)' is outside the flow's folder")
            }
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw CommandFailure("no readable file '\(name)' beside the flow (\(url.path))")
            }
            return text
        }
    }
}

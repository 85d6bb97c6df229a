import Foundation
import Synchronization

/// Bash scripts written once per content hash under the scratch root (`.scripts/<hash>.sh`), and
/// their declared arguments parsed once: content never changes under its hash, so each run
/// executes the cached file instead of writing the script again.
final class ScriptFileCache: Sendable {
    private struct Entry {
        var path: String
        var argumentNames: [String]
    }

    private let directory: String
    private let entries = Mutex<[String: Entry]>([:])

    init(root: String) {
        directory = root + "/.scripts"
    }

    /// The cached file and declared argument names of a bash script.
    func bashScript(hash: String, content: String) throws -> (path: String, argumentNames: [String]) {
        if let entry = entries.withLock({ $0[hash] }), FileManager.default.fileExists(atPath: entry.path) {
            return (entry.path, entry.argumentNames)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + hash + ".sh"
        // Written under a unique name then renamed, so a concurrent run never sees half a file.
        let temporary = path + ".tmp-" + UUID().uuidString
        try content.write(toFile: temporary, atomically: false, encoding: .utf8)
        if rename(temporary, path) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
        let entry = Entry(path: path, argumentNames: BashArguments.declaredNames(in: content))
        entries.withLock { entries in
            if entries.count > 1024 { entries.removeAll() }
            entries[hash] = entry
        }
        return (entry.path, entry.argumentNames)
    }
}

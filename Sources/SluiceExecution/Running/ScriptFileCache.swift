import Foundation
import Synchronization

/// Bash and python3 scripts written once per content hash in the worker's scratch space
/// (`scripts/<hash>.sh`, `scripts/<hash>.py`, read-only), and bash's declared arguments parsed once: content never
/// changes under its hash, so each run executes the cached file instead of writing the script again.
///
/// Jobs see a cached file read-only inside the sandbox; even so, the file is compared with the
/// script's content before every run and written again on any difference, so a file changed by
/// anything (an unsandboxed job, an operator) never runs in place of the script.
final class ScriptFileCache: Sendable {
    private struct Entry {
        var path: String
        var argumentNames: [String]
    }

    private let directory: String
    private let entries = Mutex<[String: Entry]>([:])
    private let writing = Mutex(())

    init(directory: String) {
        self.directory = directory
    }

    /// The cached file and declared argument names of a bash script.
    func bashScript(hash: String, content: String) throws -> (path: String, argumentNames: [String]) {
        try cached(hash: hash, content: content, suffix: ".sh") { BashArguments.declaredNames(in: content) }
    }

    /// The cached file of a python3 script, for fork servers (which read and compile it; forked
    /// jobs cannot read the cache).
    func pythonScript(hash: String, content: String) throws -> String {
        try cached(hash: hash, content: content, suffix: ".py") { [] }.path
    }

    private func cached(hash: String, content: String, suffix: String, names: () -> [String]) throws -> (path: String, argumentNames: [String]) {
        let expected = Data(content.utf8)
        if let entry = entries.withLock({ $0[hash + suffix] }), FileManager.default.contents(atPath: entry.path) == expected {
            return (entry.path, entry.argumentNames)
        }
        let path = directory + "/" + hash + suffix
        // One writer at a time, each looking again: two first runs of a script at once must not
        // both write it — the second rename would replace the file the first run's job was
        // granted (a Landlock rule names the file, not the path) just before it opens it.
        try writing.withLock { _ in
            guard FileManager.default.contents(atPath: path) != expected else { return }
            // Written under a unique name then renamed, so a concurrent run never sees half a file.
            let temporary = path + ".tmp-" + UUID().uuidString
            guard FileManager.default.createFile(atPath: temporary, contents: expected, attributes: [.posixPermissions: 0o400]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            if rename(temporary, path) != 0 {
                try? FileManager.default.removeItem(atPath: temporary)
                throw CocoaError(.fileWriteUnknown)
            }
        }
        let entry = Entry(path: path, argumentNames: names())
        entries.withLock { entries in
            if entries.count > 1024 { entries.removeAll() }
            entries[hash + suffix] = entry
        }
        return (entry.path, entry.argumentNames)
    }
}

import Foundation

/// The Deno permissions a worker grants its TypeScript jobs (`worker --deno-allow net,env,…`).
///
/// Every job may read and write its own scratch directory (and read Sluice's runtime files);
/// nothing else unless granted here. Each entry is a Deno permission name — `net`, `env`, `read`,
/// `write`, `run`, `sys`, `ffi`, `import` or `all` — optionally with Deno's own list of what it
/// covers (`net=api.example.com:443`, `env=TZ,LANG`, `read=/usr/share/zoneinfo`). The default is
/// `net`: the network, as the job sandbox allows it.
public struct DenoPermissions: Sendable, Equatable {
    /// The permissions, as given.
    public let entries: [String]

    /// Permission names Deno knows.
    public static let names = ["net", "env", "read", "write", "run", "sys", "ffi", "import", "all"]

    /// The default grant: the network.
    public init() {
        entries = ["net"]
    }

    /// Parses a comma-separated list (an empty text grants nothing); throws naming an unknown entry.
    /// A value list may itself contain commas only after `=` (`env=TZ,LANG` is one entry when
    /// its next item is no permission name).
    public init(parsing text: String) throws(DenoPermissionError) {
        var entries: [String] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let name = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? item
            if Self.names.contains(name) {
                entries.append(item)
            } else if let last = entries.last, last.contains("=") {
                entries[entries.count - 1] = last + "," + item
            } else {
                throw DenoPermissionError(
                    "unknown Deno permission '\(name)' (known: \(Self.names.joined(separator: ", ")); e.g. --deno-allow net,env=TZ)")
            }
        }
        self.entries = entries
    }

    /// Deno's flags for a job whose scratch directory is `directory`, with `runtime` (Sluice's
    /// runner files) readable and the job's channel `socket` reachable (Deno counts connecting to a
    /// Unix socket as network access, by its exact path). `allowImport` lets a locked job load
    /// the remote modules its lock pins from any host (they come from its read-only cache: a
    /// locked job fetches nothing); otherwise Deno's own list of hosts applies unless granted.
    func flags(directory: String, runtime: String, socket: String? = nil, shared: String? = nil, allowImport: Bool = false) -> [String] {
        // A same_worker flow's shared folder is as much the job's as its own directory.
        let directory = shared.map { directory + "," + $0 } ?? directory
        var flags: [String] = []
        var read = false
        var write = false
        var net = false
        var imports = false
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            switch (name, parts.count) {
            case ("read", 1): read = true
            case ("write", 1): write = true
            case ("read", _): flags.append("--allow-read=\(parts[1]),\(directory),\(runtime)"); read = true
            case ("write", _): flags.append("--allow-write=\(parts[1]),\(directory)"); write = true
            case ("net", 1): net = true
            case ("net", _):
                flags.append("--allow-net=\(parts[1])" + (socket.map { ",unix:\($0)" } ?? ""))
                net = true
            case ("all", _): read = true; write = true; net = true; imports = true
            case ("import", _): imports = true
            default: break
            }
            if !(parts.count == 2 && (name == "read" || name == "write" || name == "net")) { flags.append("--allow-" + entry) }
        }
        if !read { flags.append("--allow-read=\(directory),\(runtime)") }
        if !write { flags.append("--allow-write=\(directory)") }
        if !net, let socket { flags.append("--allow-net=unix:\(socket)") }
        if allowImport, !imports { flags.append("--allow-import") }
        return flags
    }
}

/// A `--deno-allow` list that names no Deno permission.
public struct DenoPermissionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

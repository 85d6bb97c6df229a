import Foundation

/// What scripts use to reach their job's channel, written once per worker process into
/// `<worker scratch>/helpers/` and shown read-only to every job:
///
/// - `python/sluice.py` and `python/wmill.py` (on every python3 job's `sys.path`):
///   `get_variable`, `get_resource`, `get_state`, `set_state`, `get_resume_urls`, the job calls
///   (`run_script_by_path`, `run_flow_async`, `wait_job`, `get_result`…) and writes
///   (`set_variable`, `set_resource`), under Sluice's name and Windmill's, so Windmill scripts
///   run unchanged;
/// - `bin/sluice-var`, `bin/sluice-resource`, `bin/sluice-state`, `bin/sluice-resume-urls` (on
///   bash jobs' `PATH`): the same for bash.
///
/// Each call opens the socket named by `SLUICE_CHANNEL` and sends the request with
/// `SLUICE_CHANNEL_TOKEN`: the job's own channel and token, never Redis, never a key.
enum JobHelpers {
    /// Writes the helpers into `directory` (made read-only), their commands run by `python`.
    static func install(in directory: String, python: String) throws {
        let files = FileManager.default
        try? files.removeItem(atPath: directory)
        for folder in [directory, directory + "/python", directory + "/bin"] {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        let modules = ["python/sluice.py": sluiceModule, "python/wmill.py": wmillModule]
        for (name, content) in modules {
            guard files.createFile(atPath: directory + "/" + name, contents: Data(content.utf8), attributes: [.posixPermissions: 0o400]) else {
                throw ScratchError("cannot write \(directory)/\(name)")
            }
        }
        for name in commandNames {
            let text = "#!\(python) -I\n" + commandProgram
            guard files.createFile(atPath: directory + "/bin/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o500]) else {
                throw ScratchError("cannot write \(directory)/bin/\(name)")
            }
        }
        for folder in [directory + "/python", directory + "/bin", directory] {
            try files.setAttributes([.posixPermissions: 0o500], ofItemAtPath: folder)
        }
    }

    /// `Programs/python/sluice.py`.
    static let sluiceModule = String(decoding: PackageResources.sluice_py, as: UTF8.self)

    /// `Programs/python/wmill.py`.
    static let wmillModule = String(decoding: PackageResources.wmill_py, as: UTF8.self)

    /// The bash commands' program (`sluice_commands.py`), installed once per command name.
    static let commandProgram = String(decoding: PackageResources.sluice_commands_py, as: UTF8.self)

    /// The bash commands: each is ``commandProgram``, which reads what to do from its own name.
    static let commandNames = ["sluice-var", "sluice-resource", "sluice-state", "sluice-resume-urls"]
}

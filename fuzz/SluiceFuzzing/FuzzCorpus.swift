import Foundation

/// The inputs kept for a target: `fuzz/seeds/<target>/` (hand-written), `fuzz/corpus/<target>/`
/// (a small set covering what fuzzing reached) and `fuzz/regressions/<target>/` (inputs that once
/// broke something).
public enum FuzzCorpus {
    /// The regular files at `path` (itself, or the files of a directory, sorted), hidden files left out.
    public static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }

    /// The bytes of `file` (empty when it cannot be read).
    public static func bytes(of file: String) -> [UInt8] {
        FileManager.default.contents(atPath: file).map { Array($0) } ?? []
    }
}

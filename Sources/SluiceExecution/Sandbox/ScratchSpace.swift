import Foundation
import Glibc

/// Where a worker process keeps its jobs' scratch directories and its script cache.
///
/// Layout: `<root>/w-<pid>-<random>/` per worker process (owner-only), holding `.lock` (locked
/// with `flock` for as long as the process lives, and only ever seen locked while it does),
/// `runs/<job>-<random>/` (one per run, removed afterwards) and `scripts/<sha256>.sh` (bash scripts
/// by content hash, read-only).
///
/// The root must be a real directory owned by the worker's user (never a symlink, never another
/// user's), and is made owner-only (0700): a fixed path in `/tmp` that another local user created
/// first is refused. Opening the scratch space removes the directories of worker processes that
/// died (their lock is free), so runs cut short by a SIGKILL leave nothing behind for long.
final class ScratchSpace: Sendable {
    /// The root shared by the worker processes of this user.
    let root: String
    /// This worker process's directory.
    let directory: String
    /// The descriptor holding this process's lock; kept open for the life of the process.
    private let lockDescriptor: Int32

    var runs: String { directory + "/runs" }
    var scripts: String { directory + "/scripts" }

    /// The default root: `$TMPDIR/sluice-<uid>`, else `/tmp/sluice-<uid>`.
    ///
    /// Scratch directories are small and short-lived: on a disk filesystem, creating and removing
    /// their inodes at hundreds per second costs more than warm jobs themselves (ext4's inode
    /// allocator dominated a dedicated python job's worker-side time); a tmpfs root is much faster
    /// (docs/benchmarks.md). Not `/dev/shm` by default: Deno refuses paths under `/dev` without
    /// `--allow-all`, so TypeScript jobs cannot run there.
    static var defaultRoot: String {
        let temporary = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return (temporary.hasSuffix("/") ? String(temporary.dropLast()) : temporary) + "/sluice-\(geteuid())"
    }

    /// Where caches that outlive workers and should not take memory go (Python virtualenvs):
    /// `/var/tmp/sluice-<uid>` (on disk, kept across reboots), else under the scratch root.
    static func defaultCacheRoot(scratchRoot: String) -> String {
        var info = stat()
        if lstat("/var/tmp", &info) == 0, info.st_mode & S_IFMT == S_IFDIR, access("/var/tmp", W_OK) == 0 {
            return "/var/tmp/sluice-\(geteuid())"
        }
        return scratchRoot
    }

    /// Checks (or creates) the root, makes this process's directory and removes dead workers' ones.
    init(root: String) throws(ScratchError) {
        try Self.secureRoot(root)
        self.root = root
        let name = "w-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        directory = root + "/" + name
        for path in [directory, directory + "/runs", directory + "/scripts"] {
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw ScratchError("cannot create \(path): \(Self.errorText())") }
        }
        // Locked under another name, then renamed into place: another worker sweeping the root
        // sees either no `.lock` (a young directory, left alone) or a held one — never a `.lock`
        // created and not yet locked, which it would take for a dead worker's and remove.
        let unplaced = directory + "/.lock-unplaced"
        let descriptor = open(unplaced, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0, rename(unplaced, directory + "/.lock") == 0 else {
            let reason = Self.errorText()
            if descriptor >= 0 { close(descriptor) }  // not ours yet: deinit does not run for a throw before this
            throw ScratchError("cannot lock \(directory)/.lock: \(reason)")
        }
        lockDescriptor = descriptor
        removeStaleWorkers()
    }

    deinit {
        close(lockDescriptor)
    }

    /// A new owner-only directory for one run.
    func makeRunDirectory(label: String) throws(ScratchError) -> String {
        let path = runs + "/" + label + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        guard mkdir(path, 0o700) == 0 else { throw ScratchError("cannot create \(path): \(Self.errorText())") }
        return path
    }

    /// Removes the directories of worker processes that no longer hold their lock. Returns their paths.
    @discardableResult
    func removeStaleWorkers() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var removed: [String] = []
        for name in entries where name.hasPrefix("w-") {
            let path = root + "/" + name
            guard path != directory else { continue }
            let descriptor = open(path + "/.lock", O_RDWR | O_CLOEXEC)
            if descriptor < 0 {
                // No lock yet: a worker may be creating it this instant; only an old one is stale.
                guard let modified = Self.modificationTime(path), Date().timeIntervalSince1970 - modified > 60 else { continue }
            } else {
                defer { close(descriptor) }
                guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
            }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    /// Checks (or creates) an owner-only root directory: never a symlink, never another user's.
    static func secureRoot(_ root: String) throws(ScratchError) {
        var info = stat()
        if lstat(root, &info) != 0 {
            guard errno == ENOENT else { throw ScratchError("cannot inspect \(root): \(errorText())") }
            guard mkdir(root, 0o700) == 0 || errno == EEXIST else { throw ScratchError("cannot create \(root): \(errorText())") }
            guard lstat(root, &info) == 0 else { throw ScratchError("cannot inspect \(root): \(errorText())") }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw ScratchError("the scratch root \(root) is not a directory (a symlink or file there is refused)")
        }
        guard info.st_uid == geteuid() else {
            throw ScratchError(
                "the scratch root \(root) belongs to uid \(info.st_uid), not to this worker's uid \(geteuid()); refusing it "
                    + "(another user could read or plant files there) — choose another with --scratch")
        }
        if info.st_mode & 0o077 != 0 {
            guard chmod(root, 0o700) == 0 else { throw ScratchError("cannot make \(root) owner-only: \(errorText())") }
        }
    }

    private static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Double(info.st_mtim.tv_sec)
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// The scratch space cannot be used.
public struct ScratchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

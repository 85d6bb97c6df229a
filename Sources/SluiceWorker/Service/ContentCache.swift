import SluiceExecution
import Synchronization

/// Script versions by content hash: the text and, for Python scripts with dependencies, the lock
/// stored with it. Both are immutable per hash, so entries never go stale; the cache is emptied
/// when it reaches its size limit.
final class ContentCache: Sendable {
    /// One script version.
    struct Version: Sendable {
        let content: String
        let lock: String?
        /// Whether the script can use its job's channel (``ChannelNeed``), decided once per content,
        /// not per job.
        let mayUseChannel: Bool

        init(content: String, lock: String?) {
            self.content = content
            self.lock = lock
            mayUseChannel = ChannelNeed.scriptMayUseChannel(content)
        }
    }

    private let entries = Mutex<[String: Version]>([:])
    let limit: Int

    init(limit: Int = 512) {
        self.limit = limit
    }

    func version(for hash: String) -> Version? {
        entries.withLock { $0[hash] }
    }

    func store(_ version: Version, for hash: String) {
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[hash] = version
        }
    }
}

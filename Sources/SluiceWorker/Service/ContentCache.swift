import Synchronization

/// Script contents by hash. Content is immutable per hash, so entries never go stale; the cache
/// is emptied when it reaches its size limit.
final class ContentCache: Sendable {
    private let entries = Mutex<[String: String]>([:])
    let limit: Int

    init(limit: Int = 512) {
        self.limit = limit
    }

    func content(for hash: String) -> String? {
        entries.withLock { $0[hash] }
    }

    func store(_ content: String, for hash: String) {
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[hash] = content
        }
    }
}

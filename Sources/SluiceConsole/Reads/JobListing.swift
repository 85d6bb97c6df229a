import SluiceCore
public import SluiceRedis
public import SluiceStore

/// The jobs list, read from the indexes the store keeps — each queue's list (waiting jobs), the
/// delayed set, the leases (running jobs), the active flows (running and suspended runs) and, for
/// finished jobs, the finished runs (`P:runs:finished`: every finished run people start, by
/// creation time, while retained) or, with flow steps and events too, each queue's capped finished
/// index — then filtered and paged, newest first (ids sort by creation). Read-only.
///
/// Bounded: at most ``scanLimit`` ids from each waiting or running index and ``finishedScanLimit``
/// finished runs — the newest created within the `since`/`until` window, read as a score range —
/// from the index read are looked at per request; narrowing the window reaches older runs. With a
/// filter by path, person or final state that index holds only such runs, so the bound is met only
/// when the window has that many of them.
public struct JobListing: Sendable {
    public let keys: KeySpace
    /// Ids read from each index at most.
    public static let scanLimit = 5000
    /// Finished runs looked at per request, at most.
    public static let finishedScanLimit = 20_000

    public init(keys: KeySpace) {
        self.keys = keys
    }

    /// Paths a path filter may name through their own indexes at most; a prefix matching more
    /// reads a broader index instead.
    static let pathIndexLimit = 64

    /// The finished-run indexes to read for `filter`, narrowest first: the indexes of the exact
    /// paths the path filter covers (every pushed script's and flow's path under it, and the filter
    /// itself, for runs of a path no longer pushed), else the index of who started them, else the
    /// one of failures or of cancellations, else every finished run. The rest of the filter is checked on
    /// each job read.
    ///
    /// `exact` says whether every run in those indexes (within the window) passes the filter: then
    /// the newest `skip + page + 1` of each are all a page can need, since ids and scores both
    /// follow creation time.
    func finishedIndexes(_ filter: JobFilter, on connection: RedisConnection) throws(RedisError) -> (keys: [String], exact: Bool) {
        let byState = filter.state == .failure || filter.state == .canceled
        if let path = filter.path {
            let catalogue = try connection.pipeline([["ZRANGE", .string(keys.scripts), "0", "-1"], ["ZRANGE", .string(keys.flows), "0", "-1"]])
            var paths = Set(catalogue.flatMap { ($0.array ?? []).compactMap(\.string) }.filter { $0.hasPrefix(path) })
            paths.insert(path)
            if paths.count <= Self.pathIndexLimit {
                return (paths.sorted().map { keys.runsFinished(path: $0) }, filter.queue == nil && filter.createdBy == nil && filter.state == nil)
            }
        }
        if let createdBy = filter.createdBy {
            return ([keys.runsFinished(createdBy: createdBy)], filter.queue == nil && filter.path == nil && filter.state == nil)
        }
        // Successes are not indexed apart (most finished runs are): that filter reads them all.
        if byState, let state = filter.state { return ([keys.runsFinished(state: state)], filter.queue == nil && filter.path == nil) }
        return ([keys.runsFinished], filter.queue == nil && filter.path == nil && filter.state == nil)
    }

    /// One page of jobs passing `filter`, newest first, whether more follow, and whether the
    /// finished runs of the window were more than ``finishedScanLimit`` (so older matches are
    /// reached only by narrowing the window; the page says so).
    public func page(_ filter: JobFilter, on connection: RedisConnection) throws(RedisError) -> (jobs: [JobSummary], more: Bool, bounded: Bool) {
        var queues: [String]
        if let queue = filter.queue {
            queues = [queue]
        } else {
            queues = (try connection.send(["SMEMBERS", .string(keys.queues)]).array ?? []).compactMap(\.string)
        }
        let last = String(Self.scanLimit - 1)
        var commands: [[RedisArgument]] = []
        // Whether the finished runs were read only as far as this page needs (an exact index).
        var limited = false
        let state = filter.state
        if state == nil || state == .queued {
            commands += queues.map { ["LRANGE", .string(keys.queue($0)), "0", .string(last)] }
        }
        if state == nil || state == .scheduled { commands.append(["ZRANGE", .string(keys.delayed), "0", .string(last)]) }
        if state == nil || state == .running { commands.append(["ZRANGE", .string(keys.leases), "0", .string(last)]) }
        if state == nil || state == .running || state == .suspended {
            commands.append(["ZRANGE", .string(keys.activeFlows), "0", .string(last)])
        }
        if state == nil || state?.isFinal == true {
            if filter.kinds == .all {
                commands += queues.map { ["ZREVRANGE", .string(keys.finished($0)), "0", .string(last)] }
            } else {
                let newest = filter.until.map { "(" + String($0) } ?? "+inf"
                let oldest = filter.since.map { String($0) } ?? "-inf"
                let (indexes, exact) = try finishedIndexes(filter, on: connection)
                // An exact index needs no more than the page's share (and some spare for runs whose
                // hash expired before the index was trimmed); otherwise look at up to the bound.
                let wanted = exact ? min(Self.finishedScanLimit, filter.page * JobFilter.pageSize + 1 + 100) : Self.finishedScanLimit
                limited = wanted < Self.finishedScanLimit
                commands += indexes.map { index in
                    ["ZREVRANGEBYSCORE", .string(index), .string(newest), .string(oldest), "LIMIT", "0", .string(String(wanted))]
                }
            }
        }
        var ids = Set<String>()
        var bounded = false
        for (command, reply) in zip(commands, try connection.pipeline(commands)) {
            let found = (reply.array ?? []).compactMap(\.string)
            if command.first == "ZREVRANGEBYSCORE", !limited, found.count >= Self.finishedScanLimit { bounded = true }
            ids.formUnion(found)
        }
        let sorted = ids.sorted(by: >)
        var rows: [JobSummary] = []
        let skip = (filter.page - 1) * JobFilter.pageSize
        var passed = 0
        // Read in batches, newest first, until the page is full and one more row is known.
        var start = 0
        while start < sorted.count, rows.count <= JobFilter.pageSize {
            let batch = Array(sorted[start..<min(start + 500, sorted.count)])
            start += batch.count
            let replies = try connection.pipeline(
                batch.map { id in ["HMGET", .string(keys.namespace + KeySpace.Segment.job + id)] + JobSummary.fields.map { .string($0) } })
            for reply in replies {
                guard let job = JobSummary(values: (reply.array ?? []).map(\.string)), filter.matches(job) else { continue }
                passed += 1
                if passed > skip { rows.append(job) }
                if rows.count > JobFilter.pageSize { break }
            }
        }
        let more = rows.count > JobFilter.pageSize
        return (Array(rows.prefix(JobFilter.pageSize)), more, bounded)
    }
}

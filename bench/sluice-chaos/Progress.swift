import Foundation
import SluiceCore
import SluiceRedis
import SluiceStore

/// Reading how far a scenario has got, in one pipelined round trip per call.
enum Progress {
    /// How many of `ids` are not in a final state (or do not exist).
    static func unfinished(_ ids: [JobID], keys: KeySpace, on connection: RedisConnection) throws -> Int {
        var count = 0
        for start in stride(from: 0, to: ids.count, by: 5000) {
            let replies = try connection.pipeline(ids[start..<min(ids.count, start + 5000)].map { ["HGET", .string(keys.job($0)), "state"] })
            count += replies.filter { reply in reply.string.flatMap(JobState.init(rawValue:))?.isFinal != true }.count
        }
        return count
    }

    /// How many jobs `worker` holds under a lease right now.
    static func held(by worker: String, keys: KeySpace, on connection: RedisConnection) throws -> Int {
        let leased = try connection.send("ZRANGE", .string(keys.leases), "0", "-1").array?.compactMap(\.string) ?? []
        guard !leased.isEmpty else { return 0 }
        let owners = try connection.pipeline(leased.map { ["HGET", .string(keys.namespace + "job:" + $0), "worker"] })
        return owners.filter { $0.string == worker }.count
    }
}

extension Progress {
    /// How many `flow_event` jobs each flow got, by flow id, from a scan of every job hash.
    static func flowEvents(keys: KeySpace, on connection: RedisConnection) throws -> [String: Int] {
        var jobKeys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.send("SCAN", .string(cursor), "MATCH", .string(keys.namespace + "job:*"), "COUNT", "1000")
            let parts = reply.array ?? []
            cursor = parts.first?.string ?? "0"
            jobKeys += (parts.count > 1 ? parts[1].array ?? [] : []).compactMap(\.string).filter { $0.split(separator: ":").count == 3 }
        } while cursor != "0"
        var counts: [String: Int] = [:]
        for start in stride(from: 0, to: jobKeys.count, by: 1000) {
            let replies = try connection.pipeline(
                jobKeys[start..<min(jobKeys.count, start + 1000)].map { ["HMGET", .string($0), "kind", "flow_id"] })
            for reply in replies {
                let fields = reply.array?.map(\.string) ?? []
                if fields.count == 2, fields[0] == "flow_event", let flow = fields[1] { counts[flow, default: 0] += 1 }
            }
        }
        return counts
    }
}

/// Figures as printed.
enum Format {
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f", value)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// Lines for the person watching, written at once (not buffered), so progress shows while it runs.
enum Console {
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

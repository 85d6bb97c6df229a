import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceRedis
import SluiceStore

/// `sluice queues` (alias `stats`): per-queue depth, running, delayed, finished counts, throughput, live workers, schedules.
struct QueuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "Per-queue pending, running, delayed and finished jobs, throughput, live workers and schedules.",
        aliases: ["stats"]
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let session = try Session(connection)
        let reader = StatisticsReader(keys: session.jobs.keys)
        let queues = try session.perform { try reader.queues(on: session.connection) }
        let workers = try session.perform { try reader.workers(on: session.connection) }
        let schedules = try session.perform { try ScheduleStore(keys: session.jobs.keys).summary(on: session.connection) }
        if json {
            let value = JSONValue(members: [
                (
                    "queues",
                    .array(
                        queues.map { queue in
                            JSONValue(members: [
                                ("queue", .string(queue.queue)), ("pending", .number(Double(queue.pending))),
                                ("running", .number(Double(queue.running))), ("delayed", .number(Double(queue.delayed))),
                                ("succeeded", .number(Double(queue.succeeded))), ("failed", .number(Double(queue.failed))),
                                ("canceled", .number(Double(queue.canceled))), ("finished_last_minute", .number(Double(queue.finishedLastMinute))),
                                ("finished_last_5_minutes", .number(Double(queue.finishedLastFiveMinutes))),
                            ])
                        })
                ),
                (
                    "workers",
                    .array(
                        workers.map { worker in
                            JSONValue(members: [("id", .string(worker.id)), ("last_seen", .number(Double(worker.lastSeen))), ("info", worker.info)])
                        })
                ),
                (
                    "schedules",
                    JSONValue(members: [
                        ("count", .number(Double(schedules.count))), ("waiting", .number(Double(schedules.waiting))),
                        ("next", schedules.nextName.map(JSONValue.string) ?? .null),
                        ("next_due", schedules.nextDue.map { .number(Double($0)) } ?? .null),
                    ])
                ),
            ])
            print(value.prettyJSONText)
            return
        }
        let header = ["QUEUE", "PENDING", "RUNNING", "DELAYED", "SUCCEEDED", "FAILED", "CANCELED", "LAST 1M", "LAST 5M"]
        let rows = queues.map { queue in
            [queue.queue]
                + [
                    queue.pending, queue.running, queue.delayed, queue.succeeded, queue.failed, queue.canceled,
                    queue.finishedLastMinute, queue.finishedLastFiveMinutes,
                ].map(String.init)
        }
        print(Table.render([header] + rows))
        print("")
        print("\(workers.count) live worker\(workers.count == 1 ? "" : "s")")
        for worker in workers {
            let queues = worker.info["queues"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? "?"
            let concurrency = worker.info["concurrency"]?.intValue.map(String.init) ?? "?"
            print("  \(worker.id)  queues=\(queues) concurrency=\(concurrency) seen=\(JobPresenter.timestamp(worker.lastSeen))")
        }
        print("")
        var line = "\(schedules.count) schedule\(schedules.count == 1 ? "" : "s"), \(schedules.waiting) waiting for a tick"
        if let name = schedules.nextName, let due = schedules.nextDue { line += "; next: \(name) at \(JobPresenter.timestamp(due))" }
        print(line)
    }
}

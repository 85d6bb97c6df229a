import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceCron
import SluiceRedis
import SluiceStore

/// `sluice schedule set|list|show|pause|resume|delete|next`: cron triggers for scripts and flows.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Cron triggers for scripts and flows: each tick fired once by the scheduler(s).",
        subcommands: [Set.self, List.self, Show.self, Pause.self, Resume.self, Delete.self, Next.self]
    )

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a schedule, or replace its definition (the change takes effect at its next tick).")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The schedule's name, e.g. nightly-report or f/ops/nightly.") var name: String
        @Option(help: "The script or flow to run.") var path: String
        @Option(help: "The cron expression: 6 fields with seconds (Windmill) or the classic 5, e.g. '0 0 9 * * MON-FRI'.") var cron: String
        @Option(help: "The tz database zone its fields are read in, e.g. Europe/Berlin (default UTC).") var timezone: String = "UTC"
        @Option(help: "The arguments of every run (a flow's input), a JSON object.") var args: String?
        @Option(name: .customShort("a"), help: "One argument as key=value (value parsed as JSON if it can be); repeatable.") var arg: [String] = []
        @Option(help: "The queue its runs go to (default 'default').") var queue: String = "default"
        @Option(name: .customLong("as"), help: "Who its runs are started by (created_by).") var createdBy: String?
        @Option(help: "false: create it paused.") var enabled: Bool = true
        @Flag(help: "Skip a tick (recorded as skipped) while the previous run is still going.") var noOverlap = false
        @Option(help: "A script or flow run with the error when a run fails for good.") var onFailure: String?
        @Option(help: #"Retries of a failing script run, as a flow module's retry: '{"constant": {"attempts": 3, "seconds": 10}}'."#)
        var retry: String?

        func run() throws {
            let options = ScheduleInput.Options(
                name: name, path: path, cron: cron, timeZone: timezone, argumentsJSON: args, argumentPairs: arg, queue: queue, createdBy: createdBy,
                enabled: enabled, noOverlap: noOverlap, onFailure: onFailure, retryJSON: retry)
            let (definition, schedule) = try ScheduleInput.definition(options)
            let session = try Session(connection)
            try ScheduleTargets.check(definition, session: session)
            let now = try session.perform { try session.connection.serverMilliseconds() }
            let next = try ScheduleInput.nextDue(schedule, after: now)
            let store = ScheduleStore(keys: session.jobs.keys, settings: session.jobs.settings)
            let (created, version) = try session.perform { try store.set(definition, nextDue: next, on: session.connection) }
            let when = definition.enabled ? "next tick \(SchedulePresenter.time(next, zone: definition.timeZone))" : "paused"
            print("schedule \(name) \(created ? "created" : "updated") (version \(version)): \(path) on '\(cron)' in \(timezone); \(when)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List schedules with their next tick.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let session = try Session(connection)
            let store = ScheduleStore(keys: session.jobs.keys)
            let schedules = try session.perform { try store.list(on: session.connection) }
            if json {
                print(JSONValue.array(schedules.map { SchedulePresenter.json($0) }).prettyJSONText)
            } else if schedules.isEmpty {
                print("no schedules (create one with: sluice schedule set NAME --path PATH --cron EXPR)")
            } else {
                print(SchedulePresenter.table(schedules))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a schedule and its last runs: job ids, outcomes, lateness.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The schedule's name.") var name: String
        @Option(help: "How many recent runs to show (default 10, at most 50).") var runs: Int = 10
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (1...ScheduleStore.runsKept).contains(runs) else { throw ValidationError("--runs must be between 1 and \(ScheduleStore.runsKept)") }
        }

        func run() throws {
            let session = try Session(connection)
            let store = ScheduleStore(keys: session.jobs.keys)
            let schedule = try ScheduleTargets.existing(name, store: store, session: session)
            let recent = try session.perform { try store.runs(of: name, limit: runs, on: session.connection) }
            let unsettled = recent.filter { $0.outcome == nil && $0.kind != .skipped }.compactMap(\.job)
            var states: [JobID: String] = [:]
            for id in unsettled {
                if let job = try session.perform({ try session.jobs.job(id, on: session.connection) }) { states[id] = job.state.rawValue }
            }
            if json {
                print(SchedulePresenter.json(schedule, runs: recent, states: states).prettyJSONText)
                return
            }
            print(SchedulePresenter.text(schedule))
            print("")
            print(recent.isEmpty ? "no runs yet" : SchedulePresenter.runs(recent, states: states, zone: schedule.definition.timeZone))
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a schedule: nothing fires until it is resumed.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The schedule's name.") var name: String

        func run() throws {
            print(try ScheduleTargets.setEnabled(name, enabled: false, connection: connection))
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused schedule from now on (ticks that came due while it was paused are not caught up).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The schedule's name.") var name: String

        func run() throws {
            print(try ScheduleTargets.setEnabled(name, enabled: true, connection: connection))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a schedule and its runs list (runs already started go on).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The schedule's name.") var name: String

        func run() throws {
            let session = try Session(connection)
            let store = ScheduleStore(keys: session.jobs.keys)
            guard try session.perform({ try store.delete(name, on: session.connection) }) else { throw CommandFailure("no schedule '\(name)'") }
            print("schedule \(name) deleted")
        }
    }

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next ticks of a schedule (or of --cron in --timezone), without firing anything.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The schedule's name (or give --cron).") var name: String?
        @Option(help: "How many ticks (default 5, at most 1000).") var count: Int = 5
        @Option(help: "A cron expression to try instead of a stored schedule.") var cron: String?
        @Option(help: "With --cron: the zone (default UTC).") var timezone: String = "UTC"

        func validate() throws {
            guard (name == nil) != (cron == nil) else { throw ValidationError("give a schedule name, or --cron") }
            guard (1...1000).contains(count) else { throw ValidationError("--count must be between 1 and 1000") }
        }

        func run() throws {
            let session = try Session(connection)
            var zone = timezone
            let schedule: CronSchedule
            if let name {
                let stored = try ScheduleTargets.existing(name, store: ScheduleStore(keys: session.jobs.keys), session: session)
                zone = stored.definition.timeZone
                schedule = try ScheduleInput.cronSchedule(stored.definition.cron, timeZone: zone)
                if !stored.definition.enabled {
                    FileHandle.standardError.write(Data("sluice: \(name) is paused; these ticks fire only if it is resumed before them\n".utf8))
                }
            } else {
                schedule = try ScheduleInput.cronSchedule(cron ?? "", timeZone: timezone)
            }
            let now = try session.perform { try session.connection.serverMilliseconds() }
            let times = schedule.fireTimes(afterMilliseconds: now, count: count)
            guard !times.isEmpty else { throw CommandFailure("'\(schedule.expression)' never fires (no such date within eight years)") }
            for time in times {
                let utc = SchedulePresenter.time(time, zone: "UTC")
                print(zone == "UTC" ? utc : "\(SchedulePresenter.time(time, zone: zone))  \(utc)")
            }
        }
    }
}

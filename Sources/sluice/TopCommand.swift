import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceStore

/// `sluice top`: a live view of queues, gates and workers; one plain snapshot when not in a terminal.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "A live view of queues, open gates and workers (q or Ctrl-C quits); a plain snapshot when not in a terminal."
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Seconds between refreshes.") var interval: Double = 1
    @Option(help: "Snapshots to print when not in a terminal (default 1).") var iterations: Int = 1

    func validate() throws {
        if !(0.1...3600).contains(interval) { throw ValidationError("--interval must be between 0.1 and 3600 seconds") }
        if iterations < 1 { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws {
        let session = try Session(connection)
        let reader = StatisticsReader(keys: session.jobs.keys)
        let prefix = session.jobs.keys.prefix
        guard RawTerminal.isInteractive else {
            for iteration in 0..<iterations {
                if iteration > 0 {
                    print("")
                    Thread.sleep(forTimeInterval: interval)
                }
                let overview = try session.perform { try reader.overview(on: session.connection) }
                print(TopScreen.lines(overview, prefix: prefix).dropFirst(2).joined(separator: "\n"))
            }
            return
        }
        let terminal = RawTerminal()
        terminal.enter()
        defer { terminal.restore() }
        while true {
            do {
                let overview = try reader.overview(on: session.connection)
                terminal.draw(TopScreen.lines(overview, prefix: prefix))
            } catch {
                terminal.draw(["sluice top — \(prefix)", "", "Redis: \(error) — retrying"])
            }
            if let key = terminal.key(waitingAtMost: Int32(interval * 1000)), key == UInt8(ascii: "q") || key == 3 { return }
        }
    }
}

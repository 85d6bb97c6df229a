import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceStore

/// `sluice suspended`: the open gates.
struct SuspendedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspended", abstract: "List flows waiting at an approval gate: approvals so far, required, deadline.")
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let session = try Session(connection)
        let gates = try session.perform { try GateStore(keys: session.jobs.keys).openGates(on: session.connection) }
        if json {
            print(JSONValue.array(gates.map(GatePresenter.json)).prettyJSONText)
            return
        }
        var rows = [["FLOW", "PATH", "STEP", "WHERE", "APPROVALS", "DEADLINE", "GATE"]]
        for gate in gates {
            rows.append([
                gate.flowID.rawValue, gate.flowPath ?? "", gate.moduleID, JobPresenter.place(gate.frame), "\(gate.approvals.count)/\(gate.required)",
                gate.deadline.map(JobPresenter.timestamp) ?? "-", gate.id.rawValue,
            ])
        }
        print(Table.render(rows))
    }
}

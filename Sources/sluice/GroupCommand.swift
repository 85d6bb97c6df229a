import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceStore

/// `sluice group set|list`.
struct GroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Manage approver groups (user_groups_required).", subcommands: [Set.self, List.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a group's members: sluice group set ops alice,bob (empty list removes it).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The group's name.") var name: String
        @Argument(help: "Comma-separated members.") var members: String = ""

        func run() throws {
            guard GroupStore.isValidName(name) else { throw CommandFailure("invalid group name '\(name)'") }
            let list = members.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let session = try Session(connection)
            try session.perform { try GroupStore(keys: session.jobs.keys).set(name, members: list, on: session.connection) }
            print(list.isEmpty ? "group \(name) removed" : "group \(name): \(list.joined(separator: ", "))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups and members.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let session = try Session(connection)
            for group in try session.perform({ try GroupStore(keys: session.jobs.keys).list(on: session.connection) }) {
                print("\(group.name)\t\(group.members.joined(separator: ","))")
            }
        }
    }
}

import ArgumentParser
import SluiceCommandLine
import SluiceStore

/// `sluice inbox link NAME` / `sluice inbox revoke NAME`: an approver's inbox link — one secret
/// URL on the resumer listing every open gate that name may decide.
struct InboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "An approver's inbox: one secret link listing every open gate they may decide.",
        subcommands: [Link.self, Revoke.self]
    )

    struct Link: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print NAME's inbox link (made on first use; the same link until revoked). Send it to that person only.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The approver's name, as their gate links name them.") var name: String
        @Option(help: "The resumer's public base URL (env SLUICE_PUBLIC_URL, default http://127.0.0.1:8080).") var publicURL: String?
        @Option(name: .customLong("as"), help: "Who makes the link (recorded with it).") var createdBy: String?

        func validate() throws {
            if name.isEmpty || name.count > 200 { throw ValidationError("the name must be 1 to 200 characters") }
        }

        func run() throws {
            let session = try Session(connection)
            let keys = session.jobs.keys
            let secret = try session.perform { try InboxStore(keys: keys).secret(for: name, createdBy: createdBy, on: session.connection) }
            let base = PrefixLinks.base(publicURL: publicURL ?? Environment.value("SLUICE_PUBLIC_URL") ?? "http://127.0.0.1:8080", keys: keys)
            print(InboxStore.link(base: base, name: name, secret: secret))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke NAME's inbox link: it stops working; the next 'inbox link' makes a new one.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The approver's name.") var name: String

        func run() throws {
            let session = try Session(connection)
            let revoked = try session.perform { try InboxStore(keys: session.jobs.keys).revoke(name, on: session.connection) }
            print(revoked ? "inbox link of \(name) revoked" : "\(name) had no inbox link")
        }
    }
}

import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceStore

/// `sluice resource set|list|show|delete`: typed JSON values (a database's connection settings, an
/// API's endpoint and token) whose string fields may be `$var:PATH` references.
struct ResourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resource",
        abstract: "Manage resources: typed JSON values; string fields may be $var:PATH references (docs/variables.md).",
        subcommands: [Set.self, List.self, Show.self, Delete.self]
    )

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create or replace a resource: sluice resource set f/pay/db --type postgresql --value '{\"host\": \"db\", \"password\": \"$var:f/pay/db_pw\"}'.",
            discussion:
                "Keep credentials in secret variables and reference them: a resource's own JSON is stored as it is. Omitted --description and --allow keep what the resource had."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The resource's path, e.g. f/payments/db.") var path: String
        @Option(help: "The resource type, e.g. postgresql, stripe, c_my_type.") var type: String
        @Option(help: "The value, JSON.") var value: String?
        @Option(help: "Read the JSON value from this file.") var fromFile: String?
        @Option(help: "A description.") var description: String?
        @Option(help: "Only scripts and flows under this path prefix may read it; repeatable.") var allow: [String] = []
        @Flag(help: "Every job may read it (clears --allow).") var allowAll = false

        func validate() throws {
            guard (value == nil) != (fromFile == nil) else { throw ValidationError("give the value with --value or --from-file (exactly one)") }
            guard allow.isEmpty || !allowAll else { throw ValidationError("--allow and --allow-all contradict each other") }
            for prefix in allow where !AccessRule.isValidPrefix(prefix) {
                throw ValidationError("invalid path prefix '\(prefix)' for --allow (e.g. f/payments/)")
            }
            if let problem = ResourceStore.typeProblem(type) { throw ValidationError(problem) }
        }

        func run() throws {
            guard ScriptPath(path) != nil else { throw CommandFailure("invalid path '\(path)' (expected segments like f/payments/db)") }
            let text = try ValueInput.read(argument: value, file: fromFile, stdin: false)
            let json: JSONValue
            do {
                json = try JSONValue(parsing: text)
            } catch {
                throw CommandFailure("the value is not valid JSON: \(error)")
            }
            if let problem = ResourceStore.valueProblem(json) { throw CommandFailure(problem) }
            let references = json.references
            let access: AccessRule? = allowAll ? .everyone : (allow.isEmpty ? nil : AccessRule(prefixes: allow))
            let session = try Session(connection)
            let keys = session.jobs.keys
            let (created, version) = try session.perform {
                try ResourceStore(keys: keys).set(
                    path: path, type: type, value: json, description: description, access: access, on: session.connection)
            }
            print("\(path) \(type) \(created ? "created" : "updated") (version \(version))")
            let found = try session.perform { try VariableStore(keys: keys).variables(at: references.map(\.path), on: session.connection) }
            for reference in references.sorted(by: { $0.path < $1.path }) where found[reference.path] == nil {
                print("  note: \(reference.marker) names no variable yet; jobs reading this resource fail until it exists")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List resources.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let session = try Session(connection)
            let resources = try session.perform { try ResourceStore(keys: session.jobs.keys).list(on: session.connection) }
            if json {
                print(JSONValue.array(resources.map(Self.json)).prettyJSONText)
                return
            }
            var rows = [["PATH", "TYPE", "ALLOW", "UPDATED", "DESCRIPTION"]]
            for resource in resources {
                rows.append([
                    resource.path, resource.type, resource.access.prefixes.isEmpty ? "*" : resource.access.prefixes.joined(separator: ","),
                    JobPresenter.timestamp(resource.updatedAt), resource.description,
                ])
            }
            print(Table.render(rows))
        }

        static func json(_ resource: StoredResource) -> JSONValue {
            [
                "path": .string(resource.path), "type": .string(resource.type), "value": resource.value, "description": .string(resource.description),
                "allow": .array(resource.access.prefixes.map { .string($0) }), "version": .number(Double(resource.version)),
                "updated_at": .number(Double(resource.updatedAt)),
            ]
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a resource as stored ($var: references unresolved).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The resource's path.") var path: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try Session(connection)
            guard let resource = try session.perform({ try ResourceStore(keys: session.jobs.keys).resource(at: path, on: session.connection) }) else {
                throw CommandFailure("no resource at '\(path)'")
            }
            if json {
                print(List.json(resource).prettyJSONText)
                return
            }
            var lines = [["path", resource.path], ["type", resource.type]]
            lines.append(["allow", resource.access.prefixes.isEmpty ? "every job" : resource.access.prefixes.joined(separator: ", ")])
            if !resource.description.isEmpty { lines.append(["description", resource.description]) }
            lines.append(["version", String(resource.version)])
            lines.append(["updated", JobPresenter.timestamp(resource.updatedAt)])
            print(Table.render(lines))
            print(resource.value.prettyJSONText)
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a resource.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The resource's path.") var path: String

        func run() throws {
            let session = try Session(connection)
            guard try session.perform({ try ResourceStore(keys: session.jobs.keys).delete(path, on: session.connection) }) else {
                throw CommandFailure("no resource at '\(path)'")
            }
            print("\(path) deleted")
        }
    }
}

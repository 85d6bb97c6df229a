/// Lets the connection options come before the subcommand as well as after it:
/// `sluice --redis URL job show ID` is read as `sluice job show ID --redis URL`. Only the options
/// every command shares are moved, only from before the first subcommand name.
public enum LeadingOptions {
    /// The shared options, each taking a value.
    public static let shared: Set<String> = ["--redis", "--prefix", "--retention-days"]

    /// `arguments` (without the program name) with the shared options found before the first
    /// non-option moved to the end.
    public static func reordered(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard shared.contains(name) else { break }
            if argument.contains("=") {
                moved.append(argument)
                index += 1
            } else {
                moved.append(contentsOf: arguments[index..<min(index + 2, arguments.count)])
                index += 2
            }
        }
        guard !moved.isEmpty, index < arguments.count else { return arguments }
        return Array(arguments[index...]) + moved
    }
}

public import SluiceCore

/// Builds a job's JSON arguments from `--args JSON` and repeated `-a key=value`.
public enum ArgumentsInput {
    /// Merges the object given as JSON with the `key=value` pairs (a value that parses as JSON is
    /// taken as JSON — `-a n=3` is a number — else as a string). Later pairs win.
    public static func build(json: String?, pairs: [String]) throws(CommandFailure) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let json {
            let parsed: JSONValue
            do {
                parsed = try JSONValue(parsing: json, maximumDepth: JSONValue.maximumInputDepth)
            } catch {
                throw CommandFailure("--args is not valid JSON: \(error)")
            }
            guard case .object(let object) = parsed else {
                throw CommandFailure("--args must be a JSON object, got \(parsed.typeName)")
            }
            members = object.map { ($0.key, $0.value) }
        }
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandFailure("-a expects key=value, got '\(pair)'")
            }
            let key = String(pair[..<equals])
            let text = String(pair[pair.index(after: equals)...])
            let value = (try? JSONValue(parsing: text, maximumDepth: JSONValue.maximumInputDepth)) ?? .string(text)
            members.removeAll { $0.0 == key }
            members.append((key, value))
        }
        return JSONValue(members: members)
    }

    /// Parses repeated `--env KEY=VALUE`.
    public static func environment(_ pairs: [String]) throws(CommandFailure) -> [String: String] {
        var environment: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandFailure("--env expects KEY=VALUE, got '\(pair)'")
            }
            let name = String(pair[..<equals])
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw CommandFailure("invalid environment variable name '\(name)'")
            }
            environment[name] = String(pair[pair.index(after: equals)...])
        }
        return environment
    }
}

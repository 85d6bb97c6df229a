import SluiceCore

/// Reads one JSON object of a flow document field by field, and reports every key nobody read as
/// a warning.
struct ObjectReader {
    let location: String
    private let members: [(key: String, value: JSONValue)]
    private var read: Set<String> = []

    init(_ value: JSONValue, at location: String) throws(FlowFormatError) {
        guard let members = value.memberList else {
            throw FlowFormatError(at: location, "expected an object, got \(value.typeName)")
        }
        self.members = members
        self.location = location
    }

    func path(_ key: String) -> String { location.isEmpty ? key : "\(location).\(key)" }

    mutating func value(_ key: String) -> JSONValue? {
        read.insert(key)
        return members.first { $0.key == key }?.value
    }

    mutating func string(_ key: String) throws(FlowFormatError) -> String? {
        switch value(key) {
        case .none, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw FlowFormatError(at: path(key), "expected a string, got \(other.typeName)")
        }
    }

    mutating func requiredString(_ key: String) throws(FlowFormatError) -> String {
        guard let text = try string(key) else { throw FlowFormatError(at: path(key), "is required") }
        return text
    }

    mutating func bool(_ key: String) throws(FlowFormatError) -> Bool? {
        switch value(key) {
        case .none, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw FlowFormatError(at: path(key), "expected true or false, got \(other.typeName)")
        }
    }

    mutating func number(_ key: String) throws(FlowFormatError) -> Double? {
        switch value(key) {
        case .none, .null?: return nil
        case .number(let number)?: return number
        case let other?: throw FlowFormatError(at: path(key), "expected a number, got \(other.typeName)")
        }
    }

    mutating func integer(_ key: String, minimum: Int = 0) throws(FlowFormatError) -> Int? {
        guard let number = try number(key) else { return nil }
        guard number.rounded() == number, number >= Double(minimum), number < 1e12 else {
            throw FlowFormatError(at: path(key), "expected a whole number ≥ \(minimum), got \(JSONValue.format(number: number))")
        }
        return Int(number)
    }

    /// Ends reading: every key nobody read becomes a warning — a known field Sluice does not honour
    /// with what it does instead (`known`), any other as unknown and ignored, as Windmill ignores
    /// fields it does not know. (`sluice flow push --strict` refuses a flow with warnings.)
    func finish(known: [String: String] = [:], warnings: inout [String]) {
        for (key, value) in members where !read.contains(key) {
            if let what = known[key] {
                warnings.append("\(path(key)): \(what)")
            } else if !value.isNull {
                warnings.append("\(path(key)): '\(key)' is not known to Sluice and is ignored (as Windmill ignores fields it does not know)")
            }
        }
    }
}

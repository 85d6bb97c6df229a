import SluiceCore

/// Reads one JSON object of a flow document field by field, and reports any key nobody read:
/// unknown keys are errors, keys listed as tuning-only become warnings.
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

    /// Ends reading: keys in `tuning` become warnings, any other unread key is an error.
    func finish(tuning: Set<String> = [], warnings: inout [String]) throws(FlowFormatError) {
        for (key, value) in members where !read.contains(key) {
            if tuning.contains(key) {
                warnings.append("\(path(key)): '\(key)' only tunes execution in Windmill; Sluice ignores it")
            } else if value.isNull {
                continue
            } else {
                throw FlowFormatError(at: path(key), "'\(key)' is not supported by Sluice (see docs/flows.md)")
            }
        }
    }
}

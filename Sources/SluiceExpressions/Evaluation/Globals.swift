import Foundation
import OrderedCollections
import SluiceCore

/// The global names the subset offers: `Math`, `JSON`, `Object`, `Array`, `String`, `Number`,
/// `Boolean`, `parseInt`, `parseFloat`, `isNaN`, `isFinite`, `NaN`, `Infinity`, and Windmill's
/// `variable('PATH')` and `resource('PATH')` (answered from the references resolved before the
/// evaluation) and legacy `step(i)` (a top-level module's result). Nothing else.
enum Globals {
    static let names: Set<String> = [
        "Math", "JSON", "Object", "Array", "String", "Number", "Boolean", "parseInt", "parseFloat", "isNaN", "isFinite", "NaN", "Infinity",
        "variable", "resource", "step",
    ]

    static func value(_ name: String) -> JSValue? {
        switch name {
        case "NaN": .number(.nan)
        case "Infinity": .number(.infinity)
        default: names.contains(name) ? .builtin(name) : nil
        }
    }

    static let functions: Set<String> = [
        "Math.min", "Math.max", "Math.round", "Math.floor", "Math.ceil", "Math.abs", "Math.trunc", "Math.sign", "Math.sqrt", "Math.pow",
        "JSON.stringify", "JSON.parse", "Object.keys", "Object.values", "Object.entries", "Object.fromEntries", "Array.isArray",
        "Number.isInteger", "Number.isFinite", "Number.isNaN", "Number.parseFloat", "Number.parseInt",
    ]

    static func member(_ namespace: String, _ name: String) -> JSValue? {
        switch (namespace, name) {
        case ("Math", "PI"): return .number(Double.pi)
        case ("Math", "E"): return .number(M_E)
        case ("Number", "MAX_SAFE_INTEGER"): return .number(9_007_199_254_740_991)
        case ("Number", "MIN_SAFE_INTEGER"): return .number(-9_007_199_254_740_991)
        case ("Number", "EPSILON"): return .number(Double.ulpOfOne)
        default:
            let full = namespace + "." + name
            return functions.contains(full) ? .builtin(full) : nil
        }
    }

    static func call(_ name: String, _ arguments: [JSValue], evaluator: inout Evaluator, at position: Int) throws(ExpressionError) -> JSValue {
        let first = arguments.first ?? .undefined
        let numbers = { arguments.map(\.toNumber) }
        switch name {
        case "Math.min": return .number(numbers().reduce(Double.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) })
        case "Math.max": return .number(numbers().reduce(-Double.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) })
        case "Math.round":
            let value = first.toNumber
            return .number(value.isFinite ? (value + 0.5).rounded(.down) : value)
        case "Math.floor": return .number(first.toNumber.rounded(.down))
        case "Math.ceil": return .number(first.toNumber.rounded(.up))
        case "Math.trunc": return .number(first.toNumber.rounded(.towardZero))
        case "Math.abs": return .number(abs(first.toNumber))
        case "Math.sign":
            let value = first.toNumber
            return .number(value.isNaN ? .nan : (value > 0 ? 1 : (value < 0 ? -1 : value)))
        case "Math.sqrt": return .number(first.toNumber.squareRoot())
        case "Math.pow": return try Operators.binary("**", first, arguments.count > 1 ? arguments[1] : .undefined, at: position)
        case "JSON.stringify":
            return try stringify(
                first, arguments.count > 1 ? arguments[1] : .undefined, arguments.count > 2 ? arguments[2] : .undefined, evaluator: evaluator,
                at: position)
        case "JSON.parse":
            do {
                return JSValue(try JSONValue(parsing: first.toDisplayString()))
            } catch {
                throw ExpressionError(.type, "JSON.parse: \(error)", at: position)
            }
        case "Object.keys", "Object.values", "Object.entries":
            let pairs: [(String, JSValue)]
            switch first {
            case .object(let members): pairs = members.map { ($0.key, $0.value) }
            case .array(let items): pairs = items.enumerated().map { (String($0.offset), $0.element) }
            case .string(let text): pairs = text.enumerated().map { (String($0.offset), .string(String($0.element))) }
            case .undefined, .null: throw ExpressionError(.type, "Cannot convert undefined or null to object", at: position)
            default: pairs = []
            }
            switch name {
            case "Object.keys": return .array(pairs.map { .string($0.0) })
            case "Object.values": return .array(pairs.map(\.1))
            default: return .array(pairs.map { .array([.string($0.0), $0.1]) })
            }
        case "Object.fromEntries":
            guard case .array(let entries) = first else { throw ExpressionError(.type, "Object.fromEntries expects an array of pairs", at: position) }
            var object = OrderedDictionary<String, JSValue>()
            for entry in entries {
                guard case .array(let pair) = entry else {
                    throw ExpressionError(.type, "Object.fromEntries expects [key, value] pairs", at: position)
                }
                object[(pair.first ?? .undefined).toDisplayString()] = pair.count > 1 ? pair[1] : .undefined
            }
            return .object(object)
        case "Array.isArray":
            if case .array = first { return .bool(true) }
            return .bool(false)
        case "String": return .string(arguments.isEmpty ? "" : first.toDisplayString())
        case "Number": return .number(arguments.isEmpty ? 0 : first.toNumber)
        case "Boolean": return .bool(first.truthy)
        case "isNaN": return .bool(first.toNumber.isNaN)
        case "isFinite", "Number.isFinite":
            if name == "Number.isFinite", case .number = first {} else if name == "Number.isFinite" { return .bool(false) }
            return .bool(first.toNumber.isFinite)
        case "Number.isNaN":
            if case .number(let value) = first { return .bool(value.isNaN) }
            return .bool(false)
        case "Number.isInteger":
            if case .number(let value) = first { return .bool(value.isFinite && value.rounded() == value) }
            return .bool(false)
        case "variable", "resource": return try reference(name, first, evaluator: evaluator, at: position)
        case "step": return step(first, evaluator: evaluator)
        case "parseFloat", "Number.parseFloat": return .number(parseFloat(first.toDisplayString()))
        case "parseInt", "Number.parseInt":
            let radix = arguments.count > 1 ? arguments[1].toNumber.integerValue : 0
            return .number(parseInt(first.toDisplayString(), radix: radix))
        default:
            throw ExpressionError(.unsupported, "\(name)() is not supported", at: position)
        }
    }

    /// `variable(path)` or `resource(path)`: the value resolved for that reference before the
    /// evaluation, or its failure (missing, not allowed) as an error naming it.
    private static func reference(_ name: String, _ argument: JSValue, evaluator: Evaluator, at position: Int) throws(ExpressionError) -> JSValue {
        guard case .string(let path) = argument, let kind = Node.referenceFunctions[name] else {
            throw ExpressionError(.type, "\(name)() takes the path as a string, e.g. \(name)('f/ops/token')", at: position)
        }
        switch evaluator.references[Reference(kind, path)] {
        case .value(let value)?: return JSValue(value)
        case .failure(let message)?: throw ExpressionError(.reference, message, at: position)
        case nil:
            throw ExpressionError(
                .reference, "\(name)('\(path)') is not available here: write the path as a string literal, so it is resolved before the step starts",
                at: position)
        }
    }

    /// The legacy `step(i)`: the result of the `i`-th top-level module, counted back from the
    /// current one when `i` is negative (the flow passes the ids of those before it); undefined
    /// for any other index, as the engine's `results[undefined]` is.
    private static func step(_ argument: JSValue, evaluator: Evaluator) -> JSValue {
        let steps = (evaluator.variables[WindmillExpression.stepsVariable] ?? nil)?.arrayValue ?? []
        let index = argument.toNumber
        guard index.isFinite, index.rounded() == index, abs(index) <= Double(steps.count) else { return .undefined }
        let position = index < 0 ? steps.count + Int(index) : Int(index)
        guard steps.indices.contains(position), let id = steps[position].stringValue,
            let result = (evaluator.variables["results"] ?? nil)?[id]
        else { return .undefined }
        return JSValue(result)
    }

    /// `parseFloat`: the longest decimal prefix after leading whitespace.
    static func parseFloat(_ text: String) -> Double {
        let trimmed = text.trimmingJSWhitespace(trailing: false)
        if trimmed.hasPrefix("Infinity") || trimmed.hasPrefix("+Infinity") { return .infinity }
        if trimmed.hasPrefix("-Infinity") { return -.infinity }
        var best = Double.nan
        var prefix = ""
        for character in trimmed.prefix(400) {
            prefix.append(character)
            if let value = Double(prefix), prefix.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) {
                best = value
            } else if !"eE+-.".contains(character) {
                break
            }
        }
        return best
    }

    /// `parseInt`: an optional sign, `0x` for radix 16, then the longest run of digits.
    static func parseInt(_ text: String, radix requested: Int) -> Double {
        var rest = Substring(text.trimmingJSWhitespace(trailing: false))
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        var radix = requested
        if radix == 0 || radix == 16, rest.lowercased().hasPrefix("0x") {
            rest = rest.dropFirst(2)
            radix = 16
        }
        if radix == 0 { radix = 10 }
        guard (2...36).contains(radix) else { return .nan }
        var value = 0.0
        var any = false
        for character in rest {
            guard let digit = character.hexDigitValue ?? character.letterDigit, digit < radix else { break }
            value = value * Double(radix) + Double(digit)
            any = true
        }
        return any ? sign * value : .nan
    }

    private static func stringify(_ value: JSValue, _ replacer: JSValue, _ space: JSValue, evaluator: Evaluator, at position: Int)
        throws(ExpressionError) -> JSValue
    {
        if !replacer.isNullish {
            throw ExpressionError(.unsupported, "JSON.stringify with a replacer is not supported", at: position)
        }
        var indent = ""
        switch space {
        case .number(let count): indent = String(repeating: " ", count: Swift.max(0, Swift.min(10, count.integerValue)))
        case .string(let text): indent = String(text.prefix(10))
        default: break
        }
        guard let json = try value.toJSON(limits: evaluator.limits) else { return .undefined }
        var output = ""
        write(json, indent: indent, level: 0, to: &output)
        try evaluator.checkSize(output.utf8.count, at: position)
        return .string(output)
    }

    private static func write(_ value: JSONValue, indent: String, level: Int, to output: inout String) {
        guard !indent.isEmpty else {
            output += value.jsonText
            return
        }
        let inner = String(repeating: indent, count: level + 1)
        let outer = String(repeating: indent, count: level)
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output += "[\n"
            for (offset, element) in elements.enumerated() {
                output += inner
                write(element, indent: indent, level: level + 1, to: &output)
                output += offset + 1 < elements.count ? ",\n" : "\n"
            }
            output += outer + "]"
        case .object(let members) where !members.isEmpty:
            output += "{\n"
            for (offset, member) in members.enumerated() {
                output += inner
                JSONValue.writeQuoted(member.key, to: &output)
                output += ": "
                write(member.value, indent: indent, level: level + 1, to: &output)
                output += offset + 1 < members.count ? ",\n" : "\n"
            }
            output += outer + "}"
        default:
            output += value.jsonText
        }
    }
}

extension Character {
    /// The value of a letter digit in radixes above 16 (`g` = 16 ... `z` = 35).
    var letterDigit: Int? {
        guard let ascii = lowercased().first?.asciiValue, ascii >= 103, ascii <= 122 else { return nil }
        return Int(ascii) - 87
    }
}

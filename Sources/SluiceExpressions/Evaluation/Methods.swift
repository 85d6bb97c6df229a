import Foundation
import OrderedCollections

/// Method calls on values: arrays, strings, numbers and booleans; functions stored in objects.
enum Methods {
    static func call(_ name: String, on value: JSValue, arguments: [JSValue], evaluator: inout Evaluator, at position: Int) throws(ExpressionError)
        -> JSValue
    {
        switch value {
        case .array(let elements):
            return try ArrayMethods.call(name, elements, arguments, evaluator: &evaluator, at: position)
        case .string(let text):
            return try StringMethods.call(name, text, arguments, evaluator: evaluator, at: position)
        case .number(let number):
            return try numberMethod(name, number, arguments, at: position)
        case .bool(let bool):
            if name == "toString" { return .string(bool ? "true" : "false") }
        case .object(let members):
            if name == "hasOwnProperty" { return .bool(members[arguments.first?.toDisplayString() ?? "undefined"] != nil) }
            if let member = members[name] {
                if case .function = member { return try evaluator.invoke(member, arguments, at: position) }
                throw ExpressionError(.type, "\(name) is not a function", at: position)
            }
            if name == "toString" { return .string("[object Object]") }
        case .builtin(let namespace):
            return try Globals.call(namespace + "." + name, arguments, evaluator: &evaluator, at: position)
        case .function:
            throw ExpressionError(.unsupported, "'\(name)' on functions is not supported", at: position)
        case .undefined, .null:
            throw ExpressionError(.type, "Cannot read properties of \(value.toDisplayString()) (reading '\(name)')", at: position)
        }
        throw ExpressionError(.unsupported, "the method '\(name)' of \(value.typeofName) values is not supported", at: position)
    }

    private static func numberMethod(_ name: String, _ number: Double, _ arguments: [JSValue], at position: Int) throws(ExpressionError) -> JSValue {
        switch name {
        case "toFixed":
            let digits = Int(arguments.first?.toNumber.nanToZero ?? 0)
            guard (0...100).contains(digits) else {
                throw ExpressionError(.type, "toFixed() digits argument must be between 0 and 100", at: position)
            }
            if !number.isFinite || abs(number) >= 1e21 { return .string(JSValue.number(number).toDisplayString()) }
            return .string(Formatting.fixed(number, digits: digits))
        case "toString":
            let radix = Int(arguments.first.map { $0.isNullish ? 10 : $0.toNumber.nanToZero } ?? 10)
            guard (2...36).contains(radix) else { throw ExpressionError(.type, "toString() radix must be between 2 and 36", at: position) }
            if radix == 10 || !number.isFinite || number.rounded() != number || abs(number) > 9e15 {
                return .string(JSValue.number(number).toDisplayString())
            }
            return .string(String(Int64(number), radix: radix))
        default:
            throw ExpressionError(.unsupported, "the method '\(name)' of numbers is not supported", at: position)
        }
    }
}

extension Double {
    var nanToZero: Double { isNaN ? 0 : self }

    /// ToIntegerOrInfinity, clamped into Int range.
    var integerValue: Int {
        if isNaN { return 0 }
        if self >= Double(Int.max / 2) { return Int.max / 2 }
        if self <= Double(Int.min / 2) { return Int.min / 2 }
        return Int(self.rounded(.towardZero))
    }
}

/// Number formatting JavaScript's way.
enum Formatting {
    /// `toFixed`: round half away from zero on the decimal value, `digits` after the point.
    static func fixed(_ number: Double, digits: Int) -> String {
        var scaled = (abs(number) * pow10(digits)).rounded(.toNearestOrAwayFromZero)
        if scaled >= 1e21 { scaled = abs(number) * pow10(digits) }
        var text = String(format: "%.0f", scaled)
        if digits > 0 {
            while text.count <= digits { text = "0" + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
        }
        return (number < 0 && scaled != 0 ? "-" : "") + text
    }

    private static func pow10(_ digits: Int) -> Double {
        var value = 1.0
        for _ in 0..<digits { value *= 10 }
        return value
    }
}

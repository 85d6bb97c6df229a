import Foundation
import OrderedCollections

/// JavaScript's operators on ``JSValue``s, with its coercions.
enum Operators {
    static func unary(_ op: String, _ value: JSValue, at position: Int) throws(ExpressionError) -> JSValue {
        switch op {
        case "!": .bool(!value.truthy)
        case "-": .number(-value.toNumber)
        case "+": .number(value.toNumber)
        case "typeof": .string(value.typeofName)
        default: throw ExpressionError(.unsupported, "operator '\(op)' is not supported", at: position)
        }
    }

    static func binary(_ op: String, _ lhs: JSValue, _ rhs: JSValue, at position: Int) throws(ExpressionError) -> JSValue {
        switch op {
        case "+":
            let left = primitive(lhs)
            let right = primitive(rhs)
            if case .string = left { return .string(left.toDisplayString() + right.toDisplayString()) }
            if case .string = right { return .string(left.toDisplayString() + right.toDisplayString()) }
            return .number(left.toNumber + right.toNumber)
        case "-": return .number(lhs.toNumber - rhs.toNumber)
        case "*": return .number(lhs.toNumber * rhs.toNumber)
        case "/": return .number(lhs.toNumber / rhs.toNumber)
        case "%":
            let dividend = lhs.toNumber
            let divisor = rhs.toNumber
            if divisor.isInfinite, dividend.isFinite { return .number(dividend) }
            return .number(dividend.truncatingRemainder(dividingBy: divisor))
        case "**":
            let base = lhs.toNumber
            let exponent = rhs.toNumber
            if exponent.isNaN || (abs(base) == 1 && exponent.isInfinite) { return .number(.nan) }
            return .number(Foundation.pow(base, exponent))
        case "===": return .bool(strictEquals(lhs, rhs))
        case "!==": return .bool(!strictEquals(lhs, rhs))
        case "==": return .bool(looseEquals(lhs, rhs))
        case "!=": return .bool(!looseEquals(lhs, rhs))
        case "<", ">", "<=", ">=":
            return .bool(compare(op, lhs, rhs))
        default:
            throw ExpressionError(.unsupported, "operator '\(op)' is not supported", at: position)
        }
    }

    /// ToPrimitive: arrays and objects become their string form; everything else stays.
    static func primitive(_ value: JSValue) -> JSValue {
        switch value {
        case .array, .object, .function, .builtin: .string(value.toDisplayString())
        default: value
        }
    }

    /// `===`. Arrays and objects compare by identity in JavaScript; here values have no identity,
    /// so two of them are never strictly equal.
    static func strictEquals(_ lhs: JSValue, _ rhs: JSValue) -> Bool {
        switch (lhs, rhs) {
        case (.undefined, .undefined), (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        default: false
        }
    }

    /// SameValueZero, used by `includes`: like `===` but NaN equals NaN.
    static func sameValueZero(_ lhs: JSValue, _ rhs: JSValue) -> Bool {
        if case .number(let a) = lhs, case .number(let b) = rhs, a.isNaN, b.isNaN { return true }
        return strictEquals(lhs, rhs)
    }

    static func looseEquals(_ lhs: JSValue, _ rhs: JSValue) -> Bool {
        switch (lhs, rhs) {
        case (.undefined, .undefined), (.null, .null), (.undefined, .null), (.null, .undefined): return true
        case (.undefined, _), (.null, _), (_, .undefined), (_, .null): return false
        case (.number, .number), (.string, .string), (.bool, .bool): return strictEquals(lhs, rhs)
        case (.number(let a), .string), (.number(let a), .bool): return a == rhs.toNumber
        case (.string, .number(let b)), (.bool, .number(let b)): return lhs.toNumber == b
        case (.string, .bool), (.bool, .string): return lhs.toNumber == rhs.toNumber
        case (.array, .array), (.object, .object), (.array, .object), (.object, .array): return false
        case (.array, _), (.object, _): return looseEquals(primitive(lhs), rhs)
        case (_, .array), (_, .object): return looseEquals(lhs, primitive(rhs))
        default: return false
        }
    }

    static func compare(_ op: String, _ lhs: JSValue, _ rhs: JSValue) -> Bool {
        let left = primitive(lhs)
        let right = primitive(rhs)
        if case .string(let a) = left, case .string(let b) = right {
            let ordered = Array(a.utf16).lexicographicallyPrecedes(Array(b.utf16))
            let equal = a == b
            switch op {
            case "<": return ordered
            case ">": return !ordered && !equal
            case "<=": return ordered || equal
            default: return !ordered
            }
        }
        let a = left.toNumber
        let b = right.toNumber
        if a.isNaN || b.isNaN { return false }
        switch op {
        case "<": return a < b
        case ">": return a > b
        case "<=": return a <= b
        default: return a >= b
        }
    }
}

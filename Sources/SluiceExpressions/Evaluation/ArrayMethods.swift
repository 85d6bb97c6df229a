import OrderedCollections

/// Array methods. Arrays are values here, so the mutating ones (`reverse`, `sort`) return a new
/// array and leave the original as it was.
enum ArrayMethods {
    static func call(_ name: String, _ elements: [JSValue], _ arguments: [JSValue], evaluator: inout Evaluator, at position: Int)
        throws(ExpressionError) -> JSValue
    {
        let argument = arguments.first ?? .undefined
        switch name {
        case "includes":
            let start = startIndex(arguments.count > 1 ? arguments[1] : .undefined, count: elements.count)
            return .bool(elements[start...].contains { Operators.sameValueZero($0, argument) })
        case "indexOf":
            let start = startIndex(arguments.count > 1 ? arguments[1] : .undefined, count: elements.count)
            return .number(Double(elements[start...].firstIndex { Operators.strictEquals($0, argument) } ?? -1))
        case "lastIndexOf":
            return .number(Double(elements.lastIndex { Operators.strictEquals($0, argument) } ?? -1))
        case "join":
            let separator = argument.isUndefined ? "," : argument.toDisplayString()
            var text = ""
            for (offset, element) in elements.enumerated() {
                if offset > 0 { text += separator }
                text += element.isNullish ? "" : element.toDisplayString()
                try evaluator.checkSize(text.utf8.count, at: position)
            }
            return .string(text)
        case "slice":
            let (start, end) = range(arguments, count: elements.count)
            return .array(start < end ? Array(elements[start..<end]) : [])
        case "concat":
            var result = elements
            for value in arguments {
                if case .array(let more) = value { result.append(contentsOf: more) } else { result.append(value) }
                try evaluator.checkSize(result.count, at: position)
            }
            return .array(result)
        case "flat":
            let depth = argument.isUndefined ? 1 : argument.toNumber.integerValue
            return .array(try flatten(elements, depth: depth, evaluator: &evaluator, at: position))
        case "at":
            var index = argument.toNumber.integerValue
            if index < 0 { index += elements.count }
            return elements.indices.contains(index) ? elements[index] : .undefined
        case "reverse", "toReversed":
            return .array(elements.reversed())
        case "keys":
            return .array(elements.indices.map { .number(Double($0)) })
        case "map", "filter", "find", "findIndex", "findLast", "findLastIndex", "some", "every", "flatMap", "forEach":
            return try iterate(name, elements, arguments, evaluator: &evaluator, at: position)
        case "reduce", "reduceRight":
            return try reduce(name == "reduceRight" ? elements.reversed() : elements, arguments, evaluator: &evaluator, at: position)
        case "sort", "toSorted":
            return .array(try sort(elements, comparator: argument, evaluator: &evaluator, at: position))
        case "toString":
            return .string(JSValue.array(elements).toDisplayString())
        default:
            throw ExpressionError(.unsupported, "the array method '\(name)' is not supported", at: position)
        }
    }

    private static func callback(_ value: JSValue, _ name: String, at position: Int) throws(ExpressionError) -> JSValue {
        switch value {
        case .function, .builtin: return value
        default: throw ExpressionError(.type, "\(value.toDisplayString()) is not a function (argument of \(name))", at: position)
        }
    }

    private static func iterate(_ name: String, _ elements: [JSValue], _ arguments: [JSValue], evaluator: inout Evaluator, at position: Int)
        throws(ExpressionError) -> JSValue
    {
        let function = try callback(arguments.first ?? .undefined, name, at: position)
        var mapped: [JSValue] = []
        let indices: [Int] = name.hasPrefix("findLast") ? Array(elements.indices.reversed()) : Array(elements.indices)
        for index in indices {
            try evaluator.tick(position)
            let element = elements[index]
            let value = try evaluator.invoke(function, [element, .number(Double(index)), .array(elements)], at: position)
            switch name {
            case "map": mapped.append(value)
            case "flatMap":
                if case .array(let items) = value { mapped.append(contentsOf: items) } else { mapped.append(value) }
                try evaluator.checkSize(mapped.count, at: position)
            case "filter": if value.truthy { mapped.append(element) }
            case "find", "findLast": if value.truthy { return element }
            case "findIndex", "findLastIndex": if value.truthy { return .number(Double(index)) }
            case "some": if value.truthy { return .bool(true) }
            case "every": if !value.truthy { return .bool(false) }
            default: break
            }
        }
        switch name {
        case "find", "findLast", "forEach": return .undefined
        case "findIndex", "findLastIndex": return .number(-1)
        case "some": return .bool(false)
        case "every": return .bool(true)
        default: return .array(mapped)
        }
    }

    private static func reduce(_ elements: [JSValue], _ arguments: [JSValue], evaluator: inout Evaluator, at position: Int) throws(ExpressionError)
        -> JSValue
    {
        let function = try callback(arguments.first ?? .undefined, "reduce", at: position)
        var remaining = elements[...]
        var accumulator: JSValue
        if arguments.count > 1 {
            accumulator = arguments[1]
        } else {
            guard let first = remaining.popFirst() else {
                throw ExpressionError(.type, "Reduce of empty array with no initial value", at: position)
            }
            accumulator = first
        }
        for (offset, element) in remaining.enumerated() {
            try evaluator.tick(position)
            accumulator = try evaluator.invoke(function, [accumulator, element, .number(Double(offset)), .array(elements)], at: position)
            if case .string(let text) = accumulator { try evaluator.checkSize(text.utf8.count, at: position) }
            if case .array(let items) = accumulator { try evaluator.checkSize(items.count, at: position) }
        }
        return accumulator
    }

    private static func sort(_ elements: [JSValue], comparator: JSValue, evaluator: inout Evaluator, at position: Int) throws(ExpressionError)
        -> [JSValue]
    {
        // Merge sort: stable like JavaScript's, and every comparison counts as a step.
        if elements.count <= 1 { return elements }
        let middle = elements.count / 2
        let left = try sort(Array(elements[..<middle]), comparator: comparator, evaluator: &evaluator, at: position)
        let right = try sort(Array(elements[middle...]), comparator: comparator, evaluator: &evaluator, at: position)
        var merged: [JSValue] = []
        merged.reserveCapacity(elements.count)
        var i = 0
        var j = 0
        while i < left.count, j < right.count {
            try evaluator.tick(position)
            if try precedes(right[j], left[i], comparator: comparator, evaluator: &evaluator, at: position) {
                merged.append(right[j])
                j += 1
            } else {
                merged.append(left[i])
                i += 1
            }
        }
        merged.append(contentsOf: left[i...])
        merged.append(contentsOf: right[j...])
        return merged
    }

    private static func precedes(_ a: JSValue, _ b: JSValue, comparator: JSValue, evaluator: inout Evaluator, at position: Int)
        throws(ExpressionError)
        -> Bool
    {
        if a.isUndefined { return false }
        if b.isUndefined { return true }
        if comparator.isUndefined {
            return Array(a.toDisplayString().utf16).lexicographicallyPrecedes(Array(b.toDisplayString().utf16))
        }
        let order = try evaluator.invoke(try callback(comparator, "sort", at: position), [a, b], at: position).toNumber
        return order < 0
    }

    private static func flatten(_ elements: [JSValue], depth: Int, evaluator: inout Evaluator, at position: Int) throws(ExpressionError) -> [JSValue]
    {
        var result: [JSValue] = []
        for element in elements {
            try evaluator.tick(position)
            if depth > 0, case .array(let inner) = element {
                result.append(contentsOf: try flatten(inner, depth: depth - 1, evaluator: &evaluator, at: position))
            } else {
                result.append(element)
            }
            try evaluator.checkSize(result.count, at: position)
        }
        return result
    }

    /// A start index argument: negative counts from the end, clamped to the array.
    static func startIndex(_ value: JSValue, count: Int) -> Int {
        guard !value.isUndefined else { return 0 }
        let index = value.toNumber.integerValue
        return index < 0 ? max(0, count + index) : min(index, count)
    }

    /// `slice(start, end)` arguments resolved to a clamped range.
    static func range(_ arguments: [JSValue], count: Int) -> (Int, Int) {
        let start = startIndex(arguments.first ?? .undefined, count: count)
        let endArgument = arguments.count > 1 ? arguments[1] : .undefined
        let end = endArgument.isUndefined ? count : startIndex(endArgument, count: count)
        return (start, end)
    }
}

extension JSValue {
    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }
}

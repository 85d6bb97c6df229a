/// Reads the text of a cron expression into one bit set per field (bit `n` set when value `n`
/// matches). Linear in the length of the text; every refusal is a ``CronSyntaxError`` naming the
/// field, the 1-based column and what was expected.
struct CronParser {
    /// The six fields as bit sets, in ``CronField`` order, plus whether each day field restricts
    /// days (for the day-of-month / day-of-week rule).
    struct Fields {
        var bits: [UInt64]
        var dayOfMonthRestricted: Bool
        var dayOfWeekRestricted: Bool
    }

    private let characters: [Character]

    init(_ text: String) {
        characters = Array(text)
    }

    private static let shorthands: [String: [String]] = [
        "@yearly": ["0", "0", "0", "1", "1", "*"],
        "@annually": ["0", "0", "0", "1", "1", "*"],
        "@monthly": ["0", "0", "0", "1", "*", "*"],
        "@weekly": ["0", "0", "0", "*", "*", "0"],
        "@daily": ["0", "0", "0", "*", "*", "*"],
        "@midnight": ["0", "0", "0", "*", "*", "*"],
        "@hourly": ["0", "0", "*", "*", "*", "*"],
    ]

    private static let shapes = "5 fields (minute hour day-of-month month day-of-week) or 6 with a leading second"

    func parse() throws(CronSyntaxError) -> Fields {
        let words = splitFields()
        guard let first = words.first else {
            throw CronSyntaxError(position: characters.count + 1, field: nil, message: "empty cron expression; expected \(Self.shapes)")
        }
        if characters[first.lowerBound] == "@" {
            return try parseShorthand(words)
        }
        guard words.count >= 5 else {
            throw CronSyntaxError(
                position: characters.count + 1, field: nil,
                message: "expected \(Self.shapes), found \(words.count) field\(words.count == 1 ? "" : "s")")
        }
        guard words.count <= 6 else {
            throw CronSyntaxError(
                position: words[6].lowerBound + 1, field: nil,
                message: "too many fields (a year field is not supported); expected \(Self.shapes)")
        }
        let fields = words.count == 6 ? CronField.allCases : Array(CronField.allCases.dropFirst())
        var bits: [UInt64] = words.count == 6 ? [] : [1]  // five fields: second 0
        for (field, word) in zip(fields, words) {
            bits.append(try parseField(field, word))
        }
        let dayOfMonth = words[words.count - 3]
        let dayOfWeek = words[words.count - 1]
        return Fields(bits: bits, dayOfMonthRestricted: restricts(dayOfMonth), dayOfWeekRestricted: restricts(dayOfWeek))
    }

    /// Vixie cron's rule: a day field restricts days unless it starts with `*` (or `?`), so `*/2`
    /// counts as unrestricted.
    private func restricts(_ word: Range<Int>) -> Bool {
        let first = characters[word.lowerBound]
        return first != "*" && first != "?"
    }

    /// Runs of non-whitespace characters, as index ranges into `characters`.
    private func splitFields() -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int?
        for (index, character) in characters.enumerated() {
            if character.isWhitespace {
                if let begin = start { words.append(begin..<index) }
                start = nil
            } else if start == nil {
                start = index
            }
        }
        if let begin = start { words.append(begin..<characters.count) }
        return words
    }

    private func parseShorthand(_ words: [Range<Int>]) throws(CronSyntaxError) -> Fields {
        let word = words[0]
        let name = String(characters[word]).lowercased()
        guard let texts = Self.shorthands[name] else {
            let message: String
            switch name {
            case "@every":
                message = "@every is not supported (ticks follow the wall clock); write a step instead, e.g. '*/5 * * * *'"
            case "@reboot":
                message = "@reboot is not supported: schedules fire on the clock"
            default:
                message =
                    "unknown shorthand '\(String(characters[word]))'; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"
            }
            throw CronSyntaxError(position: word.lowerBound + 1, field: nil, message: message)
        }
        if words.count > 1 {
            throw CronSyntaxError(
                position: words[1].lowerBound + 1, field: nil, message: "\(name) stands alone; expected nothing after it")
        }
        var bits: [UInt64] = []
        for (field, text) in zip(CronField.allCases, texts) {
            let parser = CronParser(text)
            bits.append(try parser.parseField(field, 0..<parser.characters.count))
        }
        return Fields(bits: bits, dayOfMonthRestricted: false, dayOfWeekRestricted: false)
    }

    // MARK: - One field

    private func describe(_ index: Int, in word: Range<Int>) -> String {
        index < word.upperBound ? "found '\(characters[index])'" : "found the end of the field"
    }

    private func failure(_ field: CronField, at index: Int, _ message: String) -> CronSyntaxError {
        CronSyntaxError(position: index + 1, field: field, message: "\(field): \(message)")
    }

    /// A list of items separated by commas.
    private func parseField(_ field: CronField, _ word: Range<Int>) throws(CronSyntaxError) -> UInt64 {
        var bits: UInt64 = 0
        var index = word.lowerBound
        while true {
            bits |= try parseItem(field, word, &index)
            guard index < word.upperBound else { return bits }
            // parseItem stops only at the end or at a comma.
            index += 1
            guard index < word.upperBound, characters[index] != "," else {
                throw failure(field, at: index, "empty list item, \(describe(index, in: word)); expected \(field.expected) after ','")
            }
        }
    }

    /// `*`, `?`, `a`, `a-b`, each optionally followed by `/step`; stops at a comma or the end.
    private func parseItem(_ field: CronField, _ word: Range<Int>, _ index: inout Int) throws(CronSyntaxError) -> UInt64 {
        let largest = field == .dayOfWeek ? 6 : field.range.upperBound
        var low: Int
        var high: Int
        var isRange = false
        switch characters[index] {
        case "?":
            guard field.acceptsQuestionMark else {
                throw failure(field, at: index, "'?' is only allowed in day-of-month and day-of-week; expected \(field.expected) or '*'")
            }
            guard index == word.lowerBound, index + 1 == word.upperBound else {
                throw failure(field, at: index, "'?' must be the whole field")
            }
            index += 1
            return Self.bits(field.range.lowerBound, largest, step: 1, field)
        case "*":
            low = field.range.lowerBound
            high = largest
            isRange = true
            index += 1
        case ",":
            throw failure(field, at: index, "empty list item; expected \(field.expected) before ','")
        default:
            low = try parseValue(field, word, &index)
            high = low
            if index < word.upperBound, characters[index] == "-" {
                index += 1
                let endStart = index
                high = try parseValue(field, word, &index)
                if field == .dayOfWeek, high == 0, low > 0 { high = 7 }  // FRI-SUN
                guard low <= high else {
                    throw failure(field, at: endStart, "range \(low)-\(high) runs backwards; expected an end of at least \(low)")
                }
                isRange = true
            }
        }
        var step = 1
        var allowed = isRange ? ["'/'", "','"] : ["'-'", "'/'", "','"]
        if index < word.upperBound, characters[index] == "/" {
            index += 1
            step = try parseStep(field, word, &index)
            if !isRange { high = largest }  // a/n: from a to the end of the field
            allowed = ["','"]
        }
        if index < word.upperBound, characters[index] != "," {
            throw failure(field, at: index, unexpected(characters[index], field, allowed: allowed))
        }
        return Self.bits(low, high, step: step, field)
    }

    private static func bits(_ low: Int, _ high: Int, step: Int, _ field: CronField) -> UInt64 {
        var bits: UInt64 = 0
        for value in stride(from: low, through: high, by: step) {
            let bit = field == .dayOfWeek && value == 7 ? 0 : value
            bits |= 1 << UInt64(bit)
        }
        return bits
    }

    /// The message for a character that cannot come where it is; `allowed` lists what could, when an
    /// item was read before it.
    private func unexpected(_ character: Character, _ field: CronField, allowed: [String]? = nil) -> String {
        switch character {
        case "#": return "'#' (nth weekday of the month) is not supported"
        case "L", "l": return "'L' (last day) is not supported"
        case "W", "w": return "'W' (nearest weekday) is not supported"
        default:
            guard let allowed else { return "unexpected '\(character)'; expected \(field.expected)" }
            return "unexpected '\(character)'; expected \(allowed.joined(separator: ", ")) or the end of the field"
        }
    }

    /// A number, or a month or day name, checked against the field's range.
    private func parseValue(_ field: CronField, _ word: Range<Int>, _ index: inout Int) throws(CronSyntaxError) -> Int {
        let start = index
        guard index < word.upperBound else {
            throw failure(field, at: index, "\(describe(index, in: word)); expected \(field.expected)")
        }
        let character = characters[index]
        if character.isASCII, character.isNumber {
            let value = try parseNumber(field, word, &index)
            guard field.range.contains(value) else {
                throw failure(field, at: start, "\(value) is out of range; expected \(field.expected)")
            }
            return value
        }
        if character.isASCII, character.isLetter {
            while index < word.upperBound, characters[index].isASCII, characters[index].isLetter { index += 1 }
            let name = String(characters[start..<index])
            if let value = field.names[name.uppercased()] { return value }
            let upper = name.uppercased()
            if upper == "L" || upper == "LW" || upper == "W" {
                throw failure(field, at: start, unexpected(character, field))
            }
            let problem = field.names.isEmpty ? "names are not allowed, found '\(name)'" : "unknown name '\(name)'"
            throw failure(field, at: start, "\(problem); expected \(field.expected)")
        }
        if "*?,-/".contains(character) {
            throw failure(field, at: index, "\(describe(index, in: word)); expected \(field.expected)")
        }
        throw failure(field, at: index, unexpected(character, field))
    }

    /// Decimal digits; more than 9 of them is refused before they could overflow.
    private func parseNumber(_ field: CronField, _ word: Range<Int>, _ index: inout Int) throws(CronSyntaxError) -> Int {
        let start = index
        var value = 0
        while index < word.upperBound, characters[index].isASCII, let digit = characters[index].wholeNumberValue {
            guard index - start < 9 else { throw failure(field, at: start, "number too long; expected \(field.expected)") }
            value = value * 10 + digit
            index += 1
        }
        return value
    }

    private func parseStep(_ field: CronField, _ word: Range<Int>, _ index: inout Int) throws(CronSyntaxError) -> Int {
        let start = index
        let span = field == .dayOfWeek ? 7 : field.range.count
        guard index < word.upperBound, characters[index].isASCII, characters[index].isNumber else {
            throw failure(field, at: index, "\(describe(index, in: word)) after '/'; expected a step 1–\(span)")
        }
        let step = try parseNumber(field, word, &index)
        guard (1...span).contains(step) else {
            throw failure(field, at: start, "step \(step) is out of range; expected a step 1–\(span)")
        }
        return step
    }
}

/// A piece of Lua text as the assembly reads it: code, a string literal (with its quotes), or a
/// comment (`--` to the end of the line, the newline not included). The store's Lua has no long
/// strings or long comments (`[[…]]`).
enum LuaSegment: Equatable {
    case code(String)
    case string(String)
    case comment(String)

    /// Its text, as written.
    var text: String {
        switch self {
        case .code(let text), .string(let text), .comment(let text): text
        }
    }

    /// `text` taken apart, in order; joined again, the segments' texts are `text`. A string ends at
    /// its closing quote (a backslash escapes the next character) or, unterminated, before the end
    /// of its line.
    static func segments(of text: String) -> [LuaSegment] {
        let characters = Array(text)
        var segments: [LuaSegment] = []
        var code = ""
        func flushCode() {
            if !code.isEmpty { segments.append(.code(code)) }
            code = ""
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "-", index + 1 < characters.count, characters[index + 1] == "-" {
                var end = index
                while end < characters.count, characters[end] != "\n" { end += 1 }
                flushCode()
                segments.append(.comment(String(characters[index..<end])))
                index = end
            } else if character == "'" || character == "\"" {
                var end = index + 1
                while end < characters.count, characters[end] != character, characters[end] != "\n" {
                    end += characters[end] == "\\" && end + 1 < characters.count ? 2 : 1
                }
                if end < characters.count, characters[end] == character { end += 1 }
                flushCode()
                segments.append(.string(String(characters[index..<min(end, characters.count)])))
                index = end
            } else {
                code.append(character)
                index += 1
            }
        }
        flushCode()
        return segments
    }
}

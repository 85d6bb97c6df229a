/// Replaces the prelude's names in a script's code by the values they stand for, once, when the
/// script is put together: `hash_fields(key, JOB.state)` reaches Redis as
/// `hash_fields(key, 'state')`. The Lua is written with names (``LuaPrelude/tables``), and Redis
/// runs none of them: a table of names built on every call would cost every call.
struct LuaNameInlining {
    /// A `TABLE.name` whose table does not define `name` (a misspelling).
    struct UnknownName: Equatable {
        var table: String
        /// What an entry of the table is: `job field`.
        var what: String
        var name: String
    }

    /// The code with every known `TABLE.name` replaced by its quoted value.
    var code: String
    /// The `TABLE.name`s no table defines, in the order they appear (left as written).
    var unknown: [UnknownName]

    /// Inlines the names of `tables` in `text`: only in code — never inside a string literal or a
    /// comment — and only where `TABLE` is a whole identifier (not a field `x.TABLE`).
    init(_ text: String, tables: [LuaPrelude.Table]) {
        let byName = Dictionary(tables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let characters = Array(text)
        func isIdentifier(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
        func identifier(from start: Int) -> Int {
            var end = start
            while end < characters.count, isIdentifier(characters[end]) { end += 1 }
            return end
        }
        var output = ""
        var unknown: [UnknownName] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "-", index + 1 < characters.count, characters[index + 1] == "-" {
                // A comment, to the end of the line: kept as written.
                var end = index
                while end < characters.count, characters[end] != "\n" { end += 1 }
                output += String(characters[index..<end])
                index = end
            } else if character == "'" || character == "\"" {
                // A string literal, with its escapes: kept as written.
                var end = index + 1
                while end < characters.count, characters[end] != character {
                    end += characters[end] == "\\" ? 2 : 1
                }
                end = min(end + 1, characters.count)
                output += String(characters[index..<end])
                index = end
            } else if isIdentifier(character), index == 0 || (!isIdentifier(characters[index - 1]) && characters[index - 1] != ".") {
                let end = identifier(from: index)
                let word = String(characters[index..<end])
                if let table = byName[word], end < characters.count, characters[end] == ".", end + 1 < characters.count,
                    isIdentifier(characters[end + 1])
                {
                    let nameEnd = identifier(from: end + 1)
                    let name = String(characters[(end + 1)..<nameEnd])
                    if let value = table.entries.first(where: { $0.name == name })?.value {
                        output += LuaPrelude.quoted(value)
                    } else {
                        unknown.append(UnknownName(table: table.name, what: table.what, name: name))
                        output += String(characters[index..<nameEnd])
                    }
                    index = nameEnd
                } else {
                    output += word
                    index = end
                }
            } else {
                output.append(character)
                index += 1
            }
        }
        code = output
        self.unknown = unknown
    }
}

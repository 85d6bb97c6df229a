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
        var output = ""
        var unknown: [UnknownName] = []
        for segment in LuaSegment.segments(of: text) {
            guard case .code(let code) = segment else {
                output += segment.text
                continue
            }
            output += Self.inlining(code, byName, &unknown)
        }
        self.code = output
        self.unknown = unknown
    }

    /// `code` (no strings or comments in it) with its known `TABLE.name`s replaced.
    private static func inlining(_ code: String, _ tables: [String: LuaPrelude.Table], _ unknown: inout [UnknownName]) -> String {
        let characters = Array(code)
        func isIdentifier(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
        func identifier(from start: Int) -> Int {
            var end = start
            while end < characters.count, isIdentifier(characters[end]) { end += 1 }
            return end
        }
        var output = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard isIdentifier(character), index == 0 || (!isIdentifier(characters[index - 1]) && characters[index - 1] != ".") else {
                output.append(character)
                index += 1
                continue
            }
            let end = identifier(from: index)
            guard let table = tables[String(characters[index..<end])], end + 1 < characters.count, characters[end] == ".",
                isIdentifier(characters[end + 1])
            else {
                output += String(characters[index..<end])
                index = end
                continue
            }
            let nameEnd = identifier(from: end + 1)
            let name = String(characters[(end + 1)..<nameEnd])
            if let value = table.entries.first(where: { $0.name == name })?.value {
                output += LuaPrelude.quoted(value)
            } else {
                unknown.append(UnknownName(table: table.name, what: table.what, name: name))
                output += String(characters[index..<nameEnd])
            }
            index = nameEnd
        }
        return output
    }
}

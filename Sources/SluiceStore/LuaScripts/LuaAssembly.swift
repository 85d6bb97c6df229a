/// Puts a script together from its body and only the helpers it uses.
///
/// The includes (`Lua/include/*.lua`) are read as a list of top-level definitions — a `local
/// function NAME`, a forward `local NAME`, or `NAME = function` with the comment lines before it.
/// A script gets the definitions its body names, and those they name, in their original order:
/// Redis runs a script's whole chunk on every call, so every helper it carries costs each call.
enum LuaAssembly {
    /// One top-level definition of an include.
    struct Definition {
        var name: String
        var text: String
    }

    /// The definitions of `source`, in order.
    static func definitions(in source: String) -> [Definition] {
        var definitions: [Definition] = []
        var pending: [Substring] = []
        var current: (name: String, lines: [Substring])?
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if let name = definedName(line) {
                if let finished = current { definitions.append(Definition(name: finished.name, text: finished.lines.joined(separator: "\n"))) }
                current = (name, pending + [line])
                pending = []
            } else if line.hasPrefix("--") || line.isEmpty {
                pending.append(line)
            } else if current != nil {
                current?.lines += pending + [line]
                pending = []
            }
        }
        if let finished = current { definitions.append(Definition(name: finished.name, text: (finished.lines + pending).joined(separator: "\n"))) }
        return definitions
    }

    /// The name a top-level line defines, if it starts a definition.
    static func definedName(_ line: Substring) -> String? {
        for prefix in ["local function ", "local "] where line.hasPrefix(prefix) {
            let name = line.dropFirst(prefix.count).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !name.isEmpty { return String(name) }
        }
        let name = line.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        if !name.isEmpty, line.dropFirst(name.count).hasPrefix(" = function") { return String(name) }
        return nil
    }

    /// The identifiers a piece of Lua mentions (a superset of the names it uses: enough to choose helpers).
    static func identifiers(in text: String) -> Set<String> {
        var names = Set<String>()
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else {
                if !current.isEmpty { names.insert(current) }
                current = ""
            }
        }
        if !current.isEmpty { names.insert(current) }
        return names
    }

    /// `text` without its comments (`--` to the end of the line, outside a string literal).
    static func withoutComments(_ text: String) -> String {
        LuaSegment.segments(of: text).map { segment in
            if case .comment = segment { return "" }
            return segment.text
        }.joined()
    }

    /// The names `text` reads from the shared-keys table (`K.<name>`).
    static func sharedKeyNames(in text: String) -> Set<String> {
        names(readFrom: "K", in: text)
    }

    /// The names `text` reads from the table `table` (`TABLE.<name>`, where `TABLE` is a whole identifier).
    static func names(readFrom table: String, in text: String) -> Set<String> {
        var names = Set<String>()
        let characters = Array(text)
        let prefix = Array(table + ".")
        func isIdentifier(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
        var index = 0
        while index + prefix.count < characters.count {
            if characters[index..<(index + prefix.count)].elementsEqual(prefix), index == 0 || !isIdentifier(characters[index - 1]) {
                var end = index + prefix.count
                while end < characters.count, isIdentifier(characters[end]) { end += 1 }
                if end > index + prefix.count { names.insert(String(characters[(index + prefix.count)..<end])) }
                index = end
            } else {
                index += 1
            }
        }
        return names
    }

    /// The definitions `body` needs (directly or through each other), then `body`.
    static func assemble(includes: [Definition], body: String) -> String {
        var needed = identifiers(in: body)
        var chosen = Set<Int>()
        var changed = true
        while changed {
            changed = false
            // A forward declaration and its assignment share a name: both are taken, in order.
            for (index, definition) in includes.enumerated() where needed.contains(definition.name) && !chosen.contains(index) {
                chosen.insert(index)
                needed.formUnion(identifiers(in: definition.text))
                changed = true
            }
        }
        let helpers = includes.indices.filter { chosen.contains($0) }.map { includes[$0].text }
        return helpers.joined(separator: "\n") + "\n" + body
    }
}

/// The positional arguments a bash script declares, Windmill style: lines such as `name="$1"`,
/// `count=$2` or `greeting="${3:-hello}"` name argument 1, 2, 3.
enum BashArguments {
    /// The declared names by position (1-based position order), from the script's text.
    static func declaredNames(in script: String) -> [String] {
        var byPosition: [Int: String] = [:]
        for rawLine in script.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = Substring(rawLine.drop { $0 == " " || $0 == "\t" })
            if line.hasPrefix("local ") { line = line.dropFirst(6) }
            if line.hasPrefix("export ") { line = line.dropFirst(7) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals]
            guard let first = name.first, first == "_" || first.isLetter,
                name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }), name.allSatisfy(\.isASCII)
            else { continue }
            var value = line[line.index(after: equals)...]
            if value.first == "\"" || value.first == "'" { value = value.dropFirst() }
            guard value.first == "$" else { continue }
            value = value.dropFirst()
            if value.first == "{" { value = value.dropFirst() }
            let digits = value.prefix { $0.isASCII && $0.isNumber }
            guard let position = Int(digits), position >= 1, byPosition[position] == nil else { continue }
            let after = value.dropFirst(digits.count).first
            guard after == nil || after == "\"" || after == "'" || after == "}" || after == ":" || after == " " || after == "\t"
            else { continue }
            byPosition[position] = String(name)
        }
        return byPosition.keys.sorted().compactMap { byPosition[$0] }
    }
}

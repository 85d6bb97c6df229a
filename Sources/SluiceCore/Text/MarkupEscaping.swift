/// Text made safe to place in HTML or XML: in element content and in quoted attribute values
/// (`&`, `<`, `>`, `"` and `'` replaced by their entities). Used by the pages that build markup
/// themselves — the approval page's markdown, the console's flow graph (SVG).
public enum MarkupEscaping {
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

import Foundation
import SluiceCore

/// Renders the markdown of a step's `description` to HTML safely: every character of the input is
/// escaped first, then a small subset is recognized — headings, paragraphs, lists, code blocks and
/// spans, bold, italic, and links to http(s) or mailto addresses. No raw HTML ever passes.
enum SafeMarkdown {
    static func html(_ markdown: String) -> String {
        var output: [String] = []
        var paragraph: [String] = []
        var list: (ordered: Bool, items: [String])?
        var code: [String]?

        func flushParagraph() {
            if !paragraph.isEmpty { output.append("<p>" + paragraph.map(inline).joined(separator: "<br>") + "</p>") }
            paragraph = []
        }
        func flushList() {
            if let current = list {
                let tag = current.ordered ? "ol" : "ul"
                output.append("<\(tag)>" + current.items.map { "<li>" + inline($0) + "</li>" }.joined() + "</\(tag)>")
            }
            list = nil
        }

        for rawLine in markdown.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).prefix(2000) {
            let line = String(rawLine)
            if var block = code {
                if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                    output.append("<pre><code>" + block.map(escape).joined(separator: "\n") + "</code></pre>")
                    code = nil
                } else {
                    block.append(line)
                    code = block
                }
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                flushParagraph()
                flushList()
                code = []
            } else if trimmed.isEmpty {
                flushParagraph()
                flushList()
            } else if let level = headingLevel(trimmed) {
                flushParagraph()
                flushList()
                output.append("<h\(level + 2)>" + inline(String(trimmed.dropFirst(level + 1))) + "</h\(level + 2)>")
            } else if let item = listItem(trimmed) {
                flushParagraph()
                if list == nil || list?.ordered != item.ordered {
                    flushList()
                    list = (item.ordered, [])
                }
                list?.items.append(item.text)
            } else {
                flushList()
                paragraph.append(trimmed)
            }
        }
        if let block = code { output.append("<pre><code>" + block.map(escape).joined(separator: "\n") + "</code></pre>") }
        flushParagraph()
        flushList()
        return output.joined(separator: "\n")
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...3).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    private static func listItem(_ line: String) -> (ordered: Bool, text: String)? {
        if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return (false, String(line.dropFirst(2))) }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 3, line.dropFirst(digits.count).hasPrefix(". ") {
            return (true, String(line.dropFirst(digits.count + 2)))
        }
        return nil
    }

    /// Escapes HTML's special characters (text and attribute safe).
    static func escape(_ text: String) -> String {
        MarkupEscaping.escape(text)
    }

    /// Code spans, links, bold and italic within one line; everything else escaped.
    static func inline(_ text: String) -> String {
        var output = ""
        var plain = ""
        func flushPlain() {
            output += emphasis(escape(plain))
            plain = ""
        }
        var rest = Substring(text)
        while let first = rest.first {
            if first == "`", let end = rest.dropFirst().firstIndex(of: "`") {
                flushPlain()
                output += "<code>" + escape(String(rest[rest.index(after: rest.startIndex)..<end])) + "</code>"
                rest = rest[rest.index(after: end)...]
            } else if first == "[", let (html, remaining) = link(rest) {
                flushPlain()
                output += html
                rest = remaining
            } else {
                plain.append(first)
                rest = rest.dropFirst()
            }
        }
        flushPlain()
        return output
    }

    /// `[label](url)` with an http(s) or mailto URL, as an anchor; `nil` when `text` does not start with one.
    private static func link(_ text: Substring) -> (String, Substring)? {
        guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].first == "(",
            let end = text[close...].firstIndex(of: ")")
        else { return nil }
        let label = String(text[text.index(after: text.startIndex)..<close])
        let url = String(text[text.index(close, offsetBy: 2)..<end]).trimmingCharacters(in: .whitespaces)
        guard url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("mailto:"), !url.contains("\"") else { return nil }
        return ("<a href=\"" + escape(url) + "\" rel=\"noopener noreferrer\">" + emphasis(escape(label)) + "</a>", text[text.index(after: end)...])
    }

    /// `**bold**` and `*italic*` / `_italic_` on already escaped text.
    private static func emphasis(_ text: String) -> String {
        var result = replacePairs(in: text, marker: "**", open: "<strong>", close: "</strong>")
        result = replacePairs(in: result, marker: "*", open: "<em>", close: "</em>")
        result = replacePairs(in: result, marker: "_", open: "<em>", close: "</em>", wordBoundary: true)
        return result
    }

    private static func replacePairs(in text: String, marker: String, open: String, close: String, wordBoundary: Bool = false) -> String {
        var parts = text.components(separatedBy: marker)
        guard parts.count >= 3 else { return text }
        if wordBoundary {
            // snake_case words keep their underscores.
            if parts.dropFirst().dropLast().contains(where: { $0.isEmpty || $0.first == " " }) { return text }
        }
        var result = parts.removeFirst()
        var opened = false
        while !parts.isEmpty {
            let part = parts.removeFirst()
            if parts.isEmpty && !opened {
                result += marker + part
            } else {
                result += (opened ? close : open) + part
                opened.toggle()
            }
        }
        if opened { result += close }
        return result
    }
}

import SluiceCore
import Testing

@Suite("Parsed long JSON texts kept by text")
struct JSONParseCacheTests {
    static func text(_ seed: Int, bytes: Int) -> String {
        let row = #"{"id":\#(seed),"note":"say \"hi\""},"#
        return "[" + String(repeating: row, count: bytes / row.utf8.count + 1) + "\(seed)]"
    }

    @Test("a long text is parsed once and its value kept; every answer is the text's own value")
    func keepsLongTexts() throws {
        let cache = JSONParseCache()
        let first = Self.text(1, bytes: 10_000)
        let second = Self.text(2, bytes: 10_000)
        for _ in 0..<3 {
            #expect(cache.value(parsing: first) == (try JSONValue(parsing: first)))
            #expect(cache.value(parsing: second) == (try JSONValue(parsing: second)))
        }
        #expect(cache.count == 2)
    }

    @Test("short texts and texts that are not JSON are parsed as asked and never kept")
    func keepsNothingElse() throws {
        let cache = JSONParseCache()
        #expect(cache.value(parsing: #"{"a":1}"#) == ["a": 1])
        let broken = Self.text(3, bytes: 10_000) + ","
        #expect(cache.value(parsing: broken) == nil)
        #expect(cache.value(parsing: "x") == nil)
        #expect(cache.count == 0)
    }

    @Test("past its budget the cache is emptied before it keeps the next text")
    func budget() throws {
        let cache = JSONParseCache(byteBudget: 40_000)
        let texts = (0..<5).map { Self.text($0, bytes: 9_000) }
        for text in texts { #expect(cache.value(parsing: text) == (try JSONValue(parsing: text))) }
        #expect(cache.count < 5, "five texts of 9 KB do not fit in 40 KB")
        #expect(cache.count >= 1)
        // A text longer than a quarter of the budget is parsed, not kept.
        let long = Self.text(9, bytes: 20_000)
        let before = cache.count
        #expect(cache.value(parsing: long) == (try JSONValue(parsing: long)))
        #expect(cache.count == before)
    }
}

import Foundation

/// The kinds of bad request scenario 7 sends, and the bytes of one of each. None of them may
/// change anything: the links that are authentic only ever carry bodies their gate's form refuses
/// (the form requires a field no request sets), or rejections of a gate that takes none.
enum BadInput: String, CaseIterable, Sendable {
    case randomPath = "random path"
    case forgedToken = "forged token"
    case truncatedToken = "truncated token"
    case editedSubject = "edited approver name"
    case otherGatesToken = "another gate's token"
    case malformedJSON = "malformed JSON"
    case wrongJSON = "JSON that is not the form"
    case oversizedBody = "oversized body"
    case wrongContentType = "wrong content type"
    case badForm = "form body the form refuses"
    case hiddenCancel = "rejection of a hide_cancel gate"
    case wrongMethod = "wrong method"
    case longURL = "very long URL"
    case garbage = "garbage request line"

    /// Whether the server may close the connection instead of answering (a request it cannot parse).
    var mayCloseUnanswered: Bool { self == .longURL || self == .garbage }

    /// The links the generator works from: authentic (gate id, subject segment, token) triples.
    struct Link: Sendable {
        var gate: String
        var subject: String
        var token: String
        var hideCancel: Bool

        var page: String { "/approvals/\(gate)/\(subject)/\(token)" }
    }

    /// One request of this kind against `links`.
    func request(links: [Link], random: inout ChaosRandom) -> [UInt8] {
        let link = links.randomElement(using: &random) ?? Link(gate: "x", subject: "a.x", token: "x", hideCancel: false)
        let other = links.randomElement(using: &random) ?? link
        let json = [("Content-Type", "application/json")]
        func junk(_ count: Int, from alphabet: String = "abcdefghijklmnopqrstuvwxyz0123456789-_.~%") -> String {
            String((0..<count).map { _ in alphabet.randomElement(using: &random) ?? "x" })
        }
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }
        switch self {
        case .randomPath:
            let path =
                "/approvals/"
                + (0..<Int.random(in: 0...5, using: &random)).map { _ in junk(Int.random(in: 0...40, using: &random)) }.joined(separator: "/")
            return RawHTTP.request(Bool.random(using: &random) ? "GET" : "POST", path, headers: json, body: Array("{}".utf8))
        case .forgedToken:
            let target =
                "/approvals/\(link.gate)/\(link.subject)/\(junk(64, from: "0123456789abcdef"))" + (Bool.random(using: &random) ? "/resume" : "")
            return RawHTTP.request(Bool.random(using: &random) ? "GET" : "POST", target, headers: json, body: Array(#"{"confirm": "x"}"#.utf8))
        case .truncatedToken:
            let cut = String(link.token.dropLast(Int.random(in: 1...63, using: &random)))
            return RawHTTP.request("POST", "/approvals/\(link.gate)/\(link.subject)/\(cut)/resume", headers: json, body: Array("{}".utf8))
        case .editedSubject:
            let name = ["mallory", "root", "alice ", "Alice", "", "a"].randomElement(using: &random) ?? "mallory"
            let subject = "u." + Base64Text.url(name)
            return RawHTTP.request("POST", "/approvals/\(link.gate)/\(subject)/\(link.token)/resume", headers: json, body: Array("{}".utf8))
        case .otherGatesToken:
            return RawHTTP.request("POST", "/approvals/\(link.gate)/\(other.subject)/\(other.token)/resume", headers: json, body: Array("{}".utf8))
        case .malformedJSON:
            let body = [#"{"note": "x""#, "{", #"{"a":}"#, "[1,", "\u{0}", "nul", #"{"x": 1e999}"#].randomElement(using: &random) ?? "{"
            return RawHTTP.request(
                "POST", link.page + "/resume", headers: json, body: Array(body.utf8) + (Bool.random(using: &random) ? [0xFF, 0xFE] : []))
        case .wrongJSON:
            let body =
                ["[]", "1", #""yes""#, "null", "{}", #"{"note": 5}"#, #"{"confirm": 1}"#, #"{"confirm": "yes"}"#].randomElement(using: &random)
                ?? "[]"
            return RawHTTP.request("POST", link.page + "/resume", headers: json, body: Array(body.utf8))
        case .oversizedBody:
            return RawHTTP.request(
                "POST", link.page + "/resume", headers: json, body: Array(repeating: UInt8(ascii: " "), count: 70_000) + Array("{}".utf8))
        case .wrongContentType:
            let type =
                [
                    "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/jsonx",
                    "application/x-www-form-urlencoded; charset=latin1",
                ]
                .randomElement(using: &random) ?? "text/plain"
            return RawHTTP.request("POST", link.page + "/resume", headers: [("Content-Type", type)], body: Array(#"{"confirm": "x"}"#.utf8))
        case .badForm:
            let body = ["note=hi", "confirm=", "confirm=yes&note=x", "%zz=%zz&&==", junk(200)].randomElement(using: &random) ?? ""
            return RawHTTP.request(
                "POST", link.page + "/resume", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
        case .hiddenCancel:
            let target = links.first { $0.hideCancel } ?? link
            return RawHTTP.request("POST", target.page + "/cancel", headers: json, body: Array(#"{"reason": "no"}"#.utf8))
        case .wrongMethod:
            let method = ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"].randomElement(using: &random) ?? "PUT"
            return RawHTTP.request(method, link.page + (Bool.random(using: &random) ? "/resume" : ""), headers: json, body: Array("{}".utf8))
        case .longURL:
            let target = link.page + "/" + junk(Int.random(in: 10_000...200_000, using: &random))
            return RawHTTP.request("GET", target)
        case .garbage:
            return bytes(Int.random(in: 1...300, using: &random)) + Array("\r\n\r\n".utf8)
        }
    }
}

/// Unpadded base64url, as links spell approver names.
enum Base64Text {
    static func url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

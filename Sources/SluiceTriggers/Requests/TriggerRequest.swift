import Foundation

/// What a trigger's HTTP request carries, as the server read it: the method, the content type,
/// the raw body, the query parameters and the headers (names lower-cased) in order.
public struct TriggerRequest: Sendable {
    public var method: String
    public var contentType: String?
    public var body: [UInt8]
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]

    public init(
        method: String, contentType: String?, body: [UInt8], query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        self.contentType = contentType
        self.body = body
        self.query = query
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
    }

    /// The last value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.last { $0.name == name }?.value
    }

    /// The last value of header `name` (any case).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last { $0.name == lower }?.value
    }

    /// The token a sender presents, where Windmill looks for it: `Authorization: Bearer`, the
    /// `token` cookie, `?token=`.
    public var presentedToken: String? {
        if let authorization = header("authorization"), authorization.hasPrefix("Bearer ") {
            return String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        }
        if let cookies = header("cookie") {
            for cookie in cookies.split(separator: ";") {
                let parts = cookie.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "token" {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return queryValue("token")
    }
}

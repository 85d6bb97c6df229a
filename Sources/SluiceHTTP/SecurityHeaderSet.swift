public import HTTPTypes

/// The security headers a server puts on every answer: its Content-Security-Policy, then what
/// every Sluice server sends — no framing, no referrer (links are secrets), no caching, no
/// sniffing — and any extra fields it adds.
public struct SecurityHeaderSet: Sendable {
    /// The fields by name, in the order they are set.
    public let fields: [(String, String)]

    /// `contentSecurityPolicy` and the shared fields, then `extra`.
    public init(contentSecurityPolicy: String, extra: [(String, String)] = []) {
        fields =
            [
                ("Content-Security-Policy", contentSecurityPolicy),
                ("Referrer-Policy", "no-referrer"),
                ("X-Frame-Options", "DENY"),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "no-store"),
            ] + extra
    }

    /// Sets every field on `headers`, replacing what was there.
    public func apply(to headers: inout HTTPFields) {
        for (name, value) in fields {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
    }
}

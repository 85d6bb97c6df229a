import SluiceHTTP

/// The headers every resumer answer carries: a strict Content-Security-Policy (no scripts at
/// all, forms only to this origin, no framing), and Sluice's shared set (``SecurityHeaderSet``).
enum SecurityHeaders {
    static let resumer = SecurityHeaderSet(
        contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
}

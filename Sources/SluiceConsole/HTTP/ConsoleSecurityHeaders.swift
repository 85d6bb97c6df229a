import SluiceHTTP

/// The console's security headers: the resumer's set — no framing, no referrer, no caching, no
/// sniffing — with a Content-Security-Policy that lets pages run only the console's own script
/// (`/static/console.js`) and open only streams to this origin, and a same-origin opener policy.
/// No inline script runs.
enum ConsoleSecurityHeaders {
    static let console = SecurityHeaderSet(
        contentSecurityPolicy:
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        extra: [("Cross-Origin-Opener-Policy", "same-origin")])
}

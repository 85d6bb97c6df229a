/// `retry`: how often a failing module is run again, and how long to wait before each attempt.
///
/// As in Windmill, the constant attempts come first, then the exponential ones. The exponential
/// delay before retry number `n` (1-based, counting the constant retries too, as Windmill's
/// `Retry::interval` does) is `multiplier × seconds^n`, moved by up to ±`randomFactor` percent.
public struct RetryPolicy: Sendable, Equatable {
    public struct Constant: Sendable, Equatable {
        public var attempts: Int
        public var seconds: Double
        public init(attempts: Int, seconds: Double) {
            self.attempts = attempts
            self.seconds = seconds
        }
    }

    public struct Exponential: Sendable, Equatable {
        public var attempts: Int
        public var multiplier: Double
        public var seconds: Double
        /// Jitter in percent, 0...100.
        public var randomFactor: Double
        public init(attempts: Int, multiplier: Double, seconds: Double, randomFactor: Double = 0) {
            self.attempts = attempts
            self.multiplier = multiplier
            self.seconds = seconds
            self.randomFactor = randomFactor
        }
    }

    public var constant: Constant?
    public var exponential: Exponential?
    /// `retry_if.expr`: retry only when this holds (with `error` — `{name, message}` — and
    /// `result` = the error in scope).
    public var retryIf: String?

    public init(constant: Constant? = nil, exponential: Exponential? = nil, retryIf: String? = nil) {
        self.constant = constant
        self.exponential = exponential
        self.retryIf = retryIf
    }

    /// Retries allowed in all.
    public var maximumRetries: Int {
        (constant?.attempts ?? 0) + (exponential?.attempts ?? 0)
    }

    /// The wait before retry number `retry` (1-based), or `nil` when retries are used up.
    /// `unitRandom` is a number in 0..<1 that picks the jitter.
    public func delay(beforeRetry retry: Int, unitRandom: Double) -> Duration? {
        guard retry >= 1 else { return nil }
        let constantAttempts = constant?.attempts ?? 0
        if retry <= constantAttempts, let constant {
            return .milliseconds(Int64((constant.seconds * 1000).rounded()))
        }
        let exponentialRetry = retry - constantAttempts
        guard let exponential, exponentialRetry <= exponential.attempts else { return nil }
        var seconds = exponential.multiplier * pow(exponential.seconds, Double(retry))
        if exponential.randomFactor > 0 {
            let spread = min(100, exponential.randomFactor) / 100
            seconds *= 1 + spread * (2 * unitRandom - 1)
        }
        let clamped = min(max(seconds, 0), 30 * 24 * 3600)
        return .milliseconds(Int64((clamped * 1000).rounded()))
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 {
        result *= base
        remaining -= 1
    }
    return result
}

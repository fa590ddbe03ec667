extension OutgoingCallLimiter {
    /// The rate part of the limiter as a pure value: `rate` tokens per second accumulate up to `capacity`;
    /// each call takes one. Time is passed in, so the arithmetic is tested without waiting.
    struct TokenBucket {
        private(set) var rate: Double
        private(set) var capacity: Double
        private(set) var tokens: Double
        private(set) var refilledAt: ContinuousClock.Instant

        /// Starts full: a quiet service may take a burst at once.
        init(rate: Double, capacity: Int, now: ContinuousClock.Instant) {
            self.rate = rate
            self.capacity = Double(capacity)
            self.tokens = Double(capacity)
            self.refilledAt = now
        }

        mutating func refill(now: ContinuousClock.Instant) {
            guard now > refilledAt else { return }
            tokens = min(capacity, tokens + Self.seconds(now - refilledAt) * rate)
            refilledAt = now
        }

        /// A new rate and capacity from now on (what was saved up stays, up to the new capacity); `emptied`
        /// starts from no token at all.
        mutating func adapt(rate: Double, capacity: Int, now: ContinuousClock.Instant, emptied: Bool = false) {
            refill(now: now)
            self.rate = rate
            self.capacity = Double(capacity)
            tokens = emptied ? 0 : min(tokens, self.capacity)
        }

        /// Takes a token if one is there.
        mutating func take(now: ContinuousClock.Instant) -> Bool {
            refill(now: now)
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }

        /// How long until a whole token is there (zero if one is).
        func timeUntilNextToken() -> Duration {
            guard tokens < 1 else { return .zero }
            return .seconds((1 - tokens) / rate)
        }

        static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }
}

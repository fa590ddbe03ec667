extension OutgoingCallLimiter {
    /// The rate the limiter lets out, adjusted to the gateway as a pure value (time is passed in): additive
    /// increase and multiplicative decrease, as TCP and the AWS SDKs' "adaptive" retry mode do.
    ///
    /// - A 429 lowers the rate at once: to the rate the APIGW.0308 answer states when that is lower, else by
    ///   `decreaseFactor`. Only a call granted after the last decrease can lower it again, so one burst of
    ///   429s sent at the old rate counts once.
    /// - While calls succeed it climbs back by `increasePerSecond` of itself each second, never above
    ///   `ceiling` (`modelarts.rate_limit`); near the rate that last drew a 429 (within `probeBand` of it) only
    ///   by `probePerSecond`, as CUBIC slows near its last maximum: the limit is probably still there.
    struct AdaptiveRate: Sendable, Hashable {
        static let decreaseFactor = 0.7
        static let increasePerSecond = 0.02
        static let probePerSecond = 0.002
        static let probeBand = 0.9...1.1
        /// The slowest it goes: one call every twenty seconds still finds out when the limit lifts.
        static let floor = 0.05

        let ceiling: Double
        private(set) var current: Double
        private(set) var decreasedAt: ContinuousClock.Instant?
        private var increasedAt: ContinuousClock.Instant?
        /// The rate that last drew a 429: the stated one, or the one in force when it came.
        private(set) var throttledRate: Double?

        init(ceiling: Double) {
            self.ceiling = ceiling
            self.current = ceiling
        }

        /// A call granted at `grantedAt` was throttled. Returns whether the rate went down.
        mutating func throttled(grantedAt: ContinuousClock.Instant, statedRate: Double?, now: ContinuousClock.Instant) -> Bool {
            if let decreasedAt, grantedAt < decreasedAt { return false }
            var next = current * Self.decreaseFactor
            throttledRate = current
            if let statedRate, statedRate < current {
                next = statedRate
                throttledRate = statedRate
            }
            current = min(ceiling, max(Self.floor, next))
            decreasedAt = now
            increasedAt = now
            return true
        }

        /// A call succeeded: climb back, by at most one second's worth however long the last success was ago.
        mutating func succeeded(now: ContinuousClock.Instant) {
            guard current < ceiling else { return }
            let elapsed = increasedAt.map { min(1, TokenBucket.seconds(now - $0)) } ?? 0
            increasedAt = now
            let nearTheLimit = throttledRate.map { Self.probeBand.contains(current / $0) } ?? false
            let step = nearTheLimit ? Self.probePerSecond : Self.increasePerSecond
            current = min(ceiling, current + max(current, 1) * step * elapsed)
        }

        /// Whether the gateway has made it slow down below its configured rate.
        var isReduced: Bool { current < ceiling }
    }
}

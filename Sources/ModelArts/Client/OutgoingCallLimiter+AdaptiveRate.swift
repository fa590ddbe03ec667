extension OutgoingCallLimiter {
    /// The rate the limiter lets out, adjusted to the gateway as a pure value (time is passed in): additive
    /// increase and multiplicative decrease, as TCP and the AWS SDKs' "adaptive" retry mode do.
    ///
    /// - A 429 lowers the rate at once: to the rate the APIGW.0308 answer states when that is lower, else by
    ///   `decreaseFactor`. Only a call granted `reactionWindow` or more after the last decrease can lower it
    ///   again: the gateway counts in one-second windows, so the 429s of calls let out before the new rate
    ///   could show in a window answer the old rate, and a burst of them counts once. (Before, any call
    ///   granted after the cut could cut again; with calls granted continuously, one burst of twenty 429s
    ///   took the rate from 1,000/s to 0.3/s in a soak.)
    /// - While calls succeed it climbs back, never above `ceiling` (`modelarts.rate_limit`), as CUBIC does
    ///   around its last maximum: far below the rate that last drew a 429 it recovers `recoveryPerSecond` of
    ///   the gap each second; near it (within `probeBand`) it only probes, by `probePerSecond` of itself, since
    ///   the limit is probably still there; above it, and before any 429, by `increasePerSecond` of itself.
    struct AdaptiveRate: Sendable, Hashable {
        static let decreaseFactor = 0.7
        static let increasePerSecond = 0.02
        static let probePerSecond = 0.002
        static let probeBand = 0.9...1.1
        static let recoveryPerSecond = 0.1
        static let reactionWindow: Duration = .seconds(1)
        /// The slowest it goes: one call every twenty seconds still finds out when the limit lifts.
        static let floor = 0.05

        private(set) var ceiling: Double
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
            if let decreasedAt, grantedAt < decreasedAt + Self.reactionWindow { return false }
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
            let ownShare = max(current, 1)
            let perSecond: Double
            if let throttledRate, current < Self.probeBand.lowerBound * throttledRate {
                perSecond = max((throttledRate - current) * Self.recoveryPerSecond, ownShare * Self.increasePerSecond)
            } else if let throttledRate, Self.probeBand.contains(current / throttledRate) {
                perSecond = ownShare * Self.probePerSecond
            } else {
                perSecond = ownShare * Self.increasePerSecond
            }
            current = min(ceiling, current + perSecond * elapsed)
        }

        /// A new most (this daemon's share of the configured rate changed): a rate that was not reduced follows
        /// it, a reduced one only comes down to it.
        mutating func setCeiling(_ newCeiling: Double) {
            let wasReduced = isReduced
            ceiling = max(Self.floor, newCeiling)
            current = wasReduced ? min(current, ceiling) : ceiling
        }

        /// Whether the gateway has made it slow down below its configured rate.
        var isReduced: Bool { current < ceiling }
    }
}

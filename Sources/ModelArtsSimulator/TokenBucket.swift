/// A token bucket: `limit` requests per second, bursts up to `limit`. Pure value; time comes in.
struct TokenBucket: Sendable, Hashable {
    let limit: Int
    private var tokens: Double
    private var refilledAt: Int64

    init(limit: Int, now: Int64) {
        self.limit = limit
        self.tokens = Double(limit)
        self.refilledAt = now
    }

    /// Takes one token if there is one.
    mutating func take(now: Int64) -> Bool {
        let elapsedSeconds = Double(max(0, now - refilledAt)) / 1_000
        tokens = min(Double(limit), tokens + elapsedSeconds * Double(limit))
        refilledAt = max(refilledAt, now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

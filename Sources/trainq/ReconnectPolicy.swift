/// How long `watch`, `submit --wait` and `events --follow` keep trying while trainqd is away, and how
/// long they pause between tries. Pure, so the backoff can be tested without a clock.
struct ReconnectPolicy: Equatable {
    /// The pause before the first retry is at most this.
    var initialDelay: Duration = .milliseconds(100)
    /// Pauses double up to this cap: a daemon that is back is noticed within it.
    var maxDelay: Duration = .seconds(2)
    /// Give up once an outage has lasted this long; nil retries for ever (`--reconnect-timeout 0`).
    var timeout: Duration? = .seconds(300)

    /// The pause after `failures` failed tries in a row (0 for the first retry): "full jitter", a uniform
    /// share (`unitRandom` in 0..<1) of the doubled delay, so clients that lost the same daemon do not all
    /// come back in the same instant.
    func delay(afterFailures failures: Int, unitRandom: Double) -> Duration {
        let doublings = min(max(failures, 0), 30)
        let ceiling = min(initialDelay * (1 << doublings), maxDelay)
        return ceiling * min(max(unitRandom, 0), 1)
    }

    /// Whether an outage that began `elapsed` ago should still be retried.
    func allowsRetry(after elapsed: Duration) -> Bool {
        guard let timeout else { return true }
        return elapsed < timeout
    }

    /// How long to sleep: the jittered delay, but never past the end of the timeout, so the last try
    /// comes right at the deadline instead of being skipped.
    func pause(afterFailures failures: Int, elapsed: Duration, unitRandom: Double) -> Duration {
        let pause = delay(afterFailures: failures, unitRandom: unitRandom)
        guard let timeout else { return pause }
        return max(.zero, min(pause, timeout - elapsed))
    }
}

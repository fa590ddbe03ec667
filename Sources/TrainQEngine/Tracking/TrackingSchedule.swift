import Foundation

/// When a tracked version is polled next. The interval starts at the minimum, grows by half while the
/// status stays the same (a version that has run for an hour rarely changes in the next ten seconds),
/// returns to the minimum on a change, and is jittered so versions do not poll in lockstep.
struct TrackingSchedule: Sendable {
    /// The configured bounds, one instance shared by every schedule made from the same one: a hundred
    /// thousand tracked versions each carried their own 48 bytes of the same three numbers.
    private final class Limits: Sendable {
        let minInterval: Duration
        let maxInterval: Duration
        /// The longest interval while a v2 job is `Pending`: queues on public pools last hours, and a
        /// queued job does not need a poll every two minutes to be seen starting.
        let maxQueuedInterval: Duration

        init(minInterval: Duration, maxInterval: Duration, maxQueuedInterval: Duration) {
            self.minInterval = minInterval
            self.maxInterval = maxInterval
            self.maxQueuedInterval = maxQueuedInterval
        }
    }

    private let limits: Limits
    private(set) var interval: Duration

    var minInterval: Duration { limits.minInterval }
    var maxInterval: Duration { limits.maxInterval }
    var maxQueuedInterval: Duration { limits.maxQueuedInterval }

    /// A new schedule; copies of it (`TrackedVersion`s made from one template) share its limits.
    init(minInterval: Duration, maxInterval: Duration, maxQueuedInterval: Duration? = nil) {
        let maxInterval = max(minInterval, maxInterval)
        self.limits = Limits(
            minInterval: minInterval, maxInterval: maxInterval,
            maxQueuedInterval: max(maxInterval, maxQueuedInterval ?? maxInterval))
        self.interval = minInterval
    }

    /// Back to the shortest interval: a change is expected soon.
    mutating func reset() {
        interval = minInterval
    }

    /// Records a poll and returns the delay until the next one; `jitter` is in [-1, 1].
    mutating func polled(changed: Bool, queued: Bool = false, jitter: Double) -> Duration {
        if changed {
            interval = minInterval
        } else {
            interval = min(queued ? maxQueuedInterval : maxInterval, interval * 1.5)
        }
        return jittered(interval, jitter)
    }

    /// Records a poll that failed: the interval grows as if nothing changed, and the next poll waits at
    /// least `floor` (a `Retry-After` or throttle window) when one is given.
    mutating func failed(floor: Duration?, jitter: Double) -> Duration {
        let delay = polled(changed: false, jitter: jitter)
        guard let floor else { return delay }
        return max(delay, floor)
    }

    private func jittered(_ interval: Duration, _ jitter: Double) -> Duration {
        let spread = interval * (0.1 * max(-1, min(1, jitter)))
        return max(.milliseconds(1), interval + spread)
    }
}

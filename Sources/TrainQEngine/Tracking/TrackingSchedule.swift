import Foundation

/// When a tracked version is polled next. The interval starts at the minimum, grows by half while the
/// status stays the same (a version that has run for an hour rarely changes in the next ten seconds),
/// returns to the minimum on a change, and is jittered so versions do not poll in lockstep.
struct TrackingSchedule: Sendable, Hashable {
    var minInterval: Duration
    var maxInterval: Duration
    /// The longest interval while a v2 job is `Pending`: queues on public pools last hours, and a queued
    /// job does not need a poll every two minutes to be seen starting.
    var maxQueuedInterval: Duration
    private(set) var interval: Duration

    init(minInterval: Duration, maxInterval: Duration, maxQueuedInterval: Duration? = nil) {
        self.minInterval = minInterval
        self.maxInterval = max(minInterval, maxInterval)
        self.maxQueuedInterval = max(self.maxInterval, maxQueuedInterval ?? maxInterval)
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

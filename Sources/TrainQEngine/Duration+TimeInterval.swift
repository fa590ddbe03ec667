import Foundation

extension Duration {
    /// Seconds as `TimeInterval`, to move `Date`s (the store keeps wall-clock times).
    var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded down: what an attempt records as its chosen delay.
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// Clamped to ±100 years so that no clock value, however odd, can trap the conversion.
    init(timeInterval: TimeInterval) {
        let limit: TimeInterval = 100 * 365 * 86_400
        let clamped = timeInterval.isFinite ? min(max(timeInterval, -limit), limit) : 0
        self = .nanoseconds(Int64((clamped * 1e9).rounded()))
    }
}

extension Date {
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(duration.timeInterval)
    }
}

/// What the answer itself says about waiting before the next try.
public struct RetryHint: Sendable, Hashable {
    /// From the `Retry-After` header.
    public var retryAfter: Duration?
    /// From an APIGW.0308 message `limit:N,time:1 second|1 minute`: at most `throttleLimit` calls per
    /// `throttleWindow`.
    public var throttleLimit: Int?
    public var throttleWindow: Duration?

    public init(retryAfter: Duration? = nil, throttleLimit: Int? = nil, throttleWindow: Duration? = nil) {
        self.retryAfter = retryAfter
        self.throttleLimit = throttleLimit
        self.throttleWindow = throttleWindow
    }

    /// Wait at least this long: the longer of `Retry-After` and the throttle window (the window has to
    /// reset before calls count again).
    public var minimumDelay: Duration? {
        switch (retryAfter, throttleWindow) {
        case (let after?, let window?): max(after, window)
        case (let after?, nil): after
        case (nil, let window?): window
        case (nil, nil): nil
        }
    }

    /// The rate the APIGW.0308 window states, in calls per second.
    public var statedRate: Double? {
        guard let limit = throttleLimit, let window = throttleWindow, limit > 0, window > .zero else { return nil }
        return Double(limit) / (Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18)
    }
}

/// What a failed response says about when to come back: a `Retry-After` header and the window of an
/// APIGW.0308 throttle message (`limit:N,time:1 minute`). Each is a floor for the next delay.
public struct RetryHints: Sendable, Hashable {
    public var retryAfter: Duration?
    public var throttleWindow: Duration?

    public init(retryAfter: Duration? = nil, throttleWindow: Duration? = nil) {
        self.retryAfter = retryAfter
        self.throttleWindow = throttleWindow
    }

    public static let none = RetryHints()

    /// The longest wait the server asked for, if any.
    var floor: Duration? {
        switch (retryAfter, throttleWindow) {
        case (let a?, let b?): max(a, b)
        case (let a?, nil): a
        case (nil, let b?): b
        case (nil, nil): nil
        }
    }
}

/// How a failed ModelArts call should be handled (reference §4.5). Every failure is mapped to exactly
/// one class by the classification (one file, `ErrorClassification.swift`); the retry policy only ever
/// looks at the class.
public enum ErrorClass: String, Sendable, Hashable, CaseIterable, Codable {
    /// Retry with full-jitter backoff (408, retryable 5xx, connection errors before anything was sent).
    case transient
    /// The gateway or the service is throttling (any 429): nothing was done, and it is nobody's fault but
    /// the rate's. Wait for the window, slow down, and do not count it as a failed attempt.
    case throttled
    /// The request may have been applied (timeout or reset after it was written, 502/504 on a create):
    /// never blindly re-send a create; reconcile first.
    case unknownOutcome = "unknown_outcome"
    /// The token expired: get a new token and retry once.
    case tokenRefresh = "token_refresh"
    /// Quota or capacity: back off for minutes, not seconds.
    case slow
    /// Do not retry without a change by a person.
    case permanent
}

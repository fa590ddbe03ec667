import Foundation

/// The attempt row a transition writes in the same transaction as the state change.
public enum AttemptWrite: Sendable, Hashable {
    /// A new attempt starts now (the move to `submitting`): the store numbers it (one above the
    /// highest so far) and counts it against the budget. `serverEarliest` is the earliest ModelArts'
    /// clock can have read at that moment, when its answers have told it (reconciliation compares
    /// `create_time` with it; DESIGN §2, "Whose clock").
    case begin(at: Date, serverEarliest: Date? = nil)
    /// The latest attempt ended (or its verdict changed, after reconciliation): fields that are
    /// nil keep their stored value.
    case finish(AttemptResult)
    /// Every attempt still open is closed as `interrupted` at this time: the daemon stopped while it was
    /// on the wire, so nobody knows how it ended.
    case interrupt(at: Date)
}

/// How an attempt ended.
public struct AttemptResult: Sendable, Hashable {
    public var finishedAt: Date
    /// `created`, `transient`, `unknown_outcome`, `token_refresh`, `slow`, `permanent`, `interrupted`.
    public var outcome: String
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String?
    /// ModelArts' `X-Request-Id`, for support tickets.
    public var requestID: String?
    /// The backoff chosen after this attempt, in milliseconds.
    public var delayMS: Int64?

    public init(
        finishedAt: Date, outcome: String, httpStatus: Int? = nil, errorCode: String? = nil, message: String? = nil,
        requestID: String? = nil, delayMS: Int64? = nil
    ) {
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
        self.requestID = requestID
        self.delayMS = delayMS
    }
}

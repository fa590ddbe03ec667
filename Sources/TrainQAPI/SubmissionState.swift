/// The life of a submission, as DESIGN §2 names it. The raw values are the socket API's strings.
public enum SubmissionState: String, Sendable, Codable, CaseIterable, Hashable {
    case queued
    case retrying
    case submitting
    case reconciling
    case tracking
    case succeeded
    case failed
    case stopped
    case rejected
    case exhausted
    case canceled
    case needsAttention = "needs_attention"

    /// No automatic progress happens from a terminal state (`retry` may still re-queue
    /// `rejected` and `exhausted` on a person's request).
    /// A create of this submission is in flight or of unknown outcome: no other create of its job may
    /// start (DESIGN §2).
    public var holdsJob: Bool {
        switch self {
        case .submitting, .reconciling, .needsAttention: true
        default: false
        }
    }

    /// Waiting for its next attempt.
    public var isWaiting: Bool { self == .queued || self == .retrying }

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .stopped, .rejected, .exhausted, .canceled: true
        case .queued, .retrying, .submitting, .reconciling, .tracking, .needsAttention: false
        }
    }
}
